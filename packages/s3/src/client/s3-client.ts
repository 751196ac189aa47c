/**
 * The few S3 calls Weir needs, over `fetch` signed by aws4fetch (SigV4). Keys are relative to
 * the bucket; bodies are whole buffers (so a retried request can be re-sent). Responses that
 * S3 may send as 200 with an error document (CopyObject, CompleteMultipartUpload) are checked.
 */

import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { parseXml, xmlList, xmlText } from './xml.js';

export interface S3ClientConfig {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** `https://endpoint/bucket/key` (true) or `https://bucket.endpoint/key`. */
  pathStyle: boolean;
  /** Attempts per request on network errors, 5xx and 429. */
  retries: number;
}

/** An S3 error response (or a network failure after the retries). `code` is S3's error code. */
export class S3RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'S3RequestError';
  }
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface Listing {
  objects: ListedObject[];
  /** Common prefixes (with their trailing delimiter) when listing with a delimiter. */
  prefixes: string[];
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

export class S3Client {
  private readonly aws: AwsClient;
  private readonly base: string;

  constructor(readonly config: S3ClientConfig) {
    this.aws = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken !== undefined ? { sessionToken: config.sessionToken } : {}),
      service: 's3',
      region: config.region,
      retries: 0, // retried below, network errors included
    });
    const endpoint = new URL(config.endpoint);
    const root = endpoint.href.replace(/\/+$/, '');
    this.base = config.pathStyle ? `${root}/${encodeURIComponent(config.bucket)}` : `${endpoint.protocol}//${config.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}`;
  }

  /** `s3://bucket/key`, for logs, notifications and checkpoint paths. */
  uri(key: string): string {
    return `s3://${this.config.bucket}/${key}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.request('PUT', key, { body });
  }

  /** The object's bytes, or undefined when it does not exist. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const res = await this.request('GET', key, { allow404: true });
    if (res.status === 404) return undefined;
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Stream an object; throws `NoSuchKey` (status 404) when it does not exist. */
  async *getStream(key: string): AsyncIterable<Uint8Array> {
    const res = await this.request('GET', key);
    if (res.body === null) return;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) yield chunk;
  }

  /** Bytes `[start, end)` of an object (a ranged GET); throws `NoSuchKey` (status 404) when it does not exist. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    const res = await this.request('GET', key, { headers: { range: `bytes=${start}-${end - 1}` } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    // a server that ignores Range answers 200 with the whole object
    return res.status === 206 ? bytes : bytes.subarray(start, end);
  }

  /** Size of the object, or undefined when it does not exist. */
  async head(key: string): Promise<number | undefined> {
    const res = await this.request('HEAD', key, { allow404: true });
    if (res.status === 404) return undefined;
    return Number(res.headers.get('content-length') ?? 0);
  }

  /** No error when the key does not exist. */
  async delete(key: string): Promise<void> {
    await this.request('DELETE', key, { allow404: true });
  }

  /** Delete up to 1000 keys per request (DeleteObjects); missing keys are not errors. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const body = new TextEncoder().encode(
        `<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>${chunk.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`,
      );
      const res = await this.request('POST', '', { query: { delete: '' }, body, headers: { 'Content-MD5': createHash('md5').update(body).digest('base64') } });
      const doc = parseXml(await res.text());
      const errors = xmlList(doc?.DeleteResult, 'Error');
      if (errors.length > 0) {
        const e = errors[0] as Record<string, unknown>;
        throw new S3RequestError(`DeleteObjects failed for ${errors.length} key(s), first ${xmlText(e.Key)}: ${xmlText(e.Code)} ${xmlText(e.Message)}`, 200, xmlText(e.Code));
      }
    }
  }

  /** Every object under `prefix` (all pages); with a delimiter, common prefixes instead of deeper keys. */
  async list(prefix: string, delimiter?: string): Promise<Listing> {
    const out: Listing = { objects: [], prefixes: [] };
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix, 'max-keys': '1000' };
      if (delimiter !== undefined) query.delimiter = delimiter;
      if (token !== undefined) query['continuation-token'] = token;
      const res = await this.request('GET', '', { query });
      const r = parseXml(await res.text())?.ListBucketResult as Record<string, unknown> | undefined;
      for (const c of xmlList(r, 'Contents') as Array<Record<string, unknown>>) out.objects.push({ key: xmlText(c.Key), size: Number(xmlText(c.Size) || 0) });
      for (const p of xmlList(r, 'CommonPrefixes') as Array<Record<string, unknown>>) out.prefixes.push(xmlText(p.Prefix));
      token = xmlText(r?.IsTruncated) === 'true' ? xmlText(r?.NextContinuationToken) || undefined : undefined;
    } while (token !== undefined);
    return out;
  }

  /** Server-side copy (objects up to 5 GiB); throws with status 404 when `from` is missing. */
  async copy(from: string, to: string): Promise<void> {
    // URL-encoded as S3 requires, but only where needed: some servers decode it with decodeURI
    const source = `/${this.config.bucket}/${encodeURI(from).replace(/[+?#]/g, (c) => encodeURIComponent(c))}`;
    const res = await this.request('PUT', to, { headers: { 'x-amz-copy-source': source } });
    await this.checkBodyError(res, 'CopyObject');
  }

  async createMultipartUpload(key: string): Promise<string> {
    const res = await this.request('POST', key, { query: { uploads: '' } });
    const id = xmlText((parseXml(await res.text())?.InitiateMultipartUploadResult as Record<string, unknown> | undefined)?.UploadId);
    if (id === '') throw new S3RequestError(`CreateMultipartUpload for ${this.uri(key)} returned no UploadId`, res.status, 'InvalidResponse');
    return id;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<UploadedPart> {
    const res = await this.request('PUT', key, { query: { partNumber: String(partNumber), uploadId }, body });
    await res.arrayBuffer();
    const etag = res.headers.get('etag');
    if (etag === null) throw new S3RequestError(`UploadPart ${partNumber} of ${this.uri(key)} returned no ETag`, res.status, 'InvalidResponse');
    return { partNumber, etag };
  }

  async completeMultipartUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const body = new TextEncoder().encode(
      `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
    );
    const res = await this.request('POST', key, { query: { uploadId }, body });
    await this.checkBodyError(res, 'CompleteMultipartUpload');
  }

  /** No error when the upload is already gone. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.request('DELETE', key, { query: { uploadId }, allow404: true });
  }

  /** Unfinished multipart uploads under `prefix` (all pages). */
  async listMultipartUploads(prefix: string): Promise<Array<{ key: string; uploadId: string }>> {
    const out: Array<{ key: string; uploadId: string }> = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const query: Record<string, string> = { uploads: '', prefix };
      if (keyMarker !== undefined) query['key-marker'] = keyMarker;
      if (idMarker !== undefined) query['upload-id-marker'] = idMarker;
      const res = await this.request('GET', '', { query });
      const r = parseXml(await res.text())?.ListMultipartUploadsResult as Record<string, unknown> | undefined;
      for (const u of xmlList(r, 'Upload') as Array<Record<string, unknown>>) out.push({ key: xmlText(u.Key), uploadId: xmlText(u.UploadId) });
      if (xmlText(r?.IsTruncated) !== 'true') return out;
      keyMarker = xmlText(r?.NextKeyMarker);
      idMarker = xmlText(r?.NextUploadIdMarker);
    }
  }

  private async checkBodyError(res: Response, op: string): Promise<void> {
    const text = await res.text();
    const err = parseXml(text)?.Error as Record<string, unknown> | undefined;
    if (err !== undefined) throw new S3RequestError(`${op} failed: ${xmlText(err.Code)} ${xmlText(err.Message)}`, res.status, xmlText(err.Code));
  }

  private async request(
    method: string,
    key: string,
    o: { query?: Record<string, string>; body?: Uint8Array; headers?: Record<string, string>; allow404?: boolean } = {},
  ): Promise<Response> {
    let url = key === '' ? `${this.base}/` : `${this.base}/${encodeKey(key)}`;
    if (o.query !== undefined) {
      url += `?${Object.entries(o.query)
        .map(([k, v]) => (v === '' && (k === 'uploads' || k === 'delete') ? k : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
        .join('&')}`;
    }
    const init: RequestInit = { method, headers: o.headers ?? {} };
    if (o.body !== undefined) init.body = o.body;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.aws.fetch(url, init);
      } catch (err) {
        if (attempt >= this.config.retries) throw new S3RequestError(`${method} ${this.uri(key)}: ${String((err as Error).cause ?? err)}`, 0, 'NetworkError');
        await backoff(attempt);
        continue;
      }
      if (res.ok || (o.allow404 === true && res.status === 404)) return res;
      const text = await res.text();
      if ((res.status >= 500 || res.status === 429) && attempt < this.config.retries) {
        await backoff(attempt);
        continue;
      }
      const err = parseXml(text)?.Error as Record<string, unknown> | undefined;
      const code = xmlText(err?.Code) || `HTTP${res.status}`;
      throw new S3RequestError(`${method} ${this.uri(key)}${o.query !== undefined ? ` (${Object.keys(o.query).join(',')})` : ''}: ${res.status} ${code}${err !== undefined ? ` ${xmlText(err.Message)}` : ''}`, res.status, code);
    }
  }
}

/** Percent-encode each path segment, keeping `/`. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));
}
