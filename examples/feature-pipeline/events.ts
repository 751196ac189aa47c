/**
 * The generated input: card transactions and logins, each offset a pure function (so the check can
 * regenerate them), up to 20 s out of order, with a few malformed transactions from a sloppy
 * upstream (amount as a string) that must end in the dead letters.
 */

export interface Transaction {
  txId: string;
  user: string;
  merchant: string;
  amount: number;
  status: 'approved' | 'declined';
  ts: number;
}

export interface Login {
  user: string;
  device: string;
  ip: string;
  ok: boolean;
  latencyMs: number;
  ts: number;
}

export const START = Date.UTC(2026, 0, 1);
export const TRANSACTIONS = 12_000;
export const LOGINS = 6_000;
/** Every this many transactions one has its amount as a string. */
export const MALFORMED_EVERY = 1_499;

export function transactionAt(o: number): Transaction {
  const amount = 1 + ((o * 7919) % 50_000) / 100;
  return {
    txId: `t${o}`,
    user: `u${(o * 37) % 200}`,
    merchant: `m${(o * 7_919 + Math.floor(o / 200) * 31) % 500}`,
    amount: o % MALFORMED_EVERY === 11 ? (amount.toFixed(2) as unknown as number) : amount,
    status: o % 9 === 4 ? 'declined' : 'approved',
    ts: START + o * 5_000 - ((o * 104_729) % 20_000),
  };
}

export function loginAt(o: number): Login {
  return {
    user: `u${(o * 53) % 200}`,
    device: `d${o % 3}`,
    ip: `10.0.${(o * 11) % 7}.${(o * 29) % 40}`,
    ok: o % 4 !== 1,
    latencyMs: 20 + ((o * 31) % 400),
    ts: START + o * 10_000 - ((o * 7_907) % 20_000),
  };
}
