/**
 * Turns the logical steps into runtime nodes: fuses chains of stateless steps, wires main
 * and side outputs, creates the dead-letter union, and orders nodes topologically.
 */

import { DEAD_LETTERS } from '../api/functions.js';
import type { StepNode } from '../api/graph.js';
import type { SinkContext } from '../sink/types.js';
import type { StateBackendFactory } from '../state/types.js';
import type { Mailbox } from './mailbox.js';
import { MAIN, RuntimeNode, type Downstream, type NodeServices } from './node.js';
import { AsyncMapNode } from './operators/async-map.js';
import { KeyedProcessNode } from './operators/keyed-process.js';
import { SinkNode } from './operators/sink.js';
import { StatelessChainNode, type ChainStep } from './operators/stateless-chain.js';
import { UnionNode } from './operators/union.js';
import type { KeyGroupScope } from '../state/key-groups.js';
import { TimestampAssignerNode } from './operators/timestamp-assigner.js';

export interface PlanDeps {
  services: NodeServices;
  stateBackend: StateBackendFactory;
  workDir: (step: string) => string;
  subtask: number;
  /** The key groups this instance owns. */
  keyGroups: KeyGroupScope;
  mailbox: Mailbox;
  sinkContext: (step: string) => SinkContext;
}

export interface PhysicalPlan {
  /** Runtime nodes in topological order (upstream first). */
  nodes: RuntimeNode[];
  sinks: SinkNode[];
  /** Downstream of each source step. */
  sourceOutputs: Map<string, Downstream[]>;
  /** Where each source's own dead letters go (extractor failures, skipped poison records). */
  sourceDeadLetters: Map<string, Downstream>;
}

const STATELESS = new Set(['map', 'filter', 'flatMap']);
const edgeKey = (node: StepNode, tag: string | undefined) => `${node.name}\u0000${tag ?? MAIN}`;

export function buildPhysicalPlan(steps: readonly StepNode[], deps: PlanDeps): PhysicalPlan {
  // consumers of every (step, output) edge
  const consumers = new Map<string, StepNode[]>();
  for (const step of steps) for (const input of step.inputs) pushTo(consumers, edgeKey(input.node, input.tag), step);

  // a stateless step joins its predecessor's chain when it is that step's only consumer
  const chainOf = new Map<StepNode, StepNode[]>();
  for (const step of steps) {
    if (!STATELESS.has(step.kind)) continue;
    const input = step.inputs[0]!;
    const pred = input.node;
    const predChain = chainOf.get(pred);
    const soleConsumer = input.tag === undefined && consumers.get(edgeKey(pred, undefined))?.length === 1 && !hasSideConsumers(pred, consumers);
    if (predChain !== undefined && soleConsumer) {
      predChain.push(step);
      chainOf.set(step, predChain);
    } else chainOf.set(step, [step]);
  }

  const runtimeOf = new Map<StepNode, RuntimeNode>();
  const nodes: RuntimeNode[] = [];
  const sinks: SinkNode[] = [];
  const { services } = deps;
  const policyOf = (s: StepNode) => s.options.onError ?? services.defaultErrorPolicy;
  for (const step of steps) {
    let node: RuntimeNode | undefined;
    switch (step.kind) {
      case 'source':
        continue;
      case 'map':
      case 'filter':
      case 'flatMap': {
        const chain = chainOf.get(step)!;
        if (chain[0] !== step) {
          runtimeOf.set(step, runtimeOf.get(chain[0]!)!);
          continue;
        }
        const chainSteps: ChainStep[] = chain.map((s) => ({ kind: s.kind as ChainStep['kind'], name: s.name, fn: (s as { fn: (v: any) => any }).fn, policy: policyOf(s) }));
        node = new StatelessChainNode(chainSteps, services);
        for (const s of chain) runtimeOf.set(s, node);
        break;
      }
      case 'asyncMap':
        node = new AsyncMapNode(step.name, step.fn, step.concurrency, step.ordered, services, policyOf(step));
        break;
      case 'keyedProcess':
        node = new KeyedProcessNode(step.name, step.keyFn, step.fn, services, policyOf(step), {
          stateBackend: deps.stateBackend,
          workDir: deps.workDir(step.name),
          subtask: deps.subtask,
          mailbox: deps.mailbox,
          keyGroups: deps.keyGroups,
        });
        break;
      case 'union':
        node = new UnionNode(step.name, step.inputs.length, services, 'fail');
        break;
      case 'timestamps':
        node = new TimestampAssignerNode(step.name, step.watermarks, services, policyOf(step), { mailbox: deps.mailbox, splitMetrics: services.splitMetricsFor });
        break;
      case 'deadLetters':
        continue; // wired below, once every producer exists
      case 'sink': {
        const sink = new SinkNode(step.name, step.sink, services, deps.sinkContext(step.name));
        sinks.push(sink);
        node = sink;
        break;
      }
    }
    runtimeOf.set(step, node);
    nodes.push(node);
  }

  // the dead-letter stream: a union over the dead-letter output of every step that can fail per record
  const dlStep = steps.find((s) => s.kind === 'deadLetters');
  const dlProducers = nodes.filter((n) => n instanceof StatelessChainNode || n instanceof KeyedProcessNode || n instanceof AsyncMapNode || n instanceof TimestampAssignerNode);
  const sources = steps.filter((s) => s.kind === 'source');
  const sourceDeadLetters = new Map<string, Downstream>();
  if (dlStep !== undefined) {
    const dl = new UnionNode(dlStep.name, dlProducers.length + sources.length, services, 'fail');
    dlProducers.forEach((p, i) => p.connect(DEAD_LETTERS.id, { node: dl, input: i }));
    sources.forEach((s, i) => sourceDeadLetters.set(s.name, { node: dl, input: dlProducers.length + i }));
    runtimeOf.set(dlStep, dl);
    nodes.push(dl);
  }

  // wire every non-source edge (chain-internal edges are inside the fused node)
  const sourceOutputs = new Map<string, Downstream[]>();
  for (const step of steps) {
    if (step.kind === 'source' || step.kind === 'deadLetters') continue;
    const target = runtimeOf.get(step)!;
    step.inputs.forEach((input, index) => {
      const from = input.node;
      if (runtimeOf.get(from) === target) return;
      if (STATELESS.has(step.kind) && chainOf.get(step)![0] !== step) return;
      const downstream = { node: target, input: index };
      if (from.kind === 'source') pushTo(sourceOutputs, from.name, downstream);
      else runtimeOf.get(from)!.connect(input.tag ?? MAIN, downstream);
    });
  }
  return { nodes: topoSort(nodes), sinks, sourceOutputs, sourceDeadLetters };
}

function hasSideConsumers(step: StepNode, consumers: Map<string, StepNode[]>): boolean {
  for (const key of consumers.keys()) if (key.startsWith(`${step.name}\u0000`) && !key.endsWith(`\u0000${MAIN}`)) return true;
  return false;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function topoSort(nodes: RuntimeNode[]): RuntimeNode[] {
  const indegree = new Map<RuntimeNode, number>(nodes.map((n) => [n, 0]));
  for (const n of nodes) for (const d of [...n.outputs.values()].flat()) indegree.set(d.node, (indegree.get(d.node) ?? 0) + 1);
  const ready = nodes.filter((n) => indegree.get(n) === 0);
  const order: RuntimeNode[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const d of [...n.outputs.values()].flat()) {
      const left = indegree.get(d.node)! - 1;
      indegree.set(d.node, left);
      if (left === 0) ready.push(d.node);
    }
  }
  if (order.length !== nodes.length) throw new Error('pipeline graph has a cycle');
  return order;
}
