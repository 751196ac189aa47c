/** Thrown for malformed wire data, unknown API keys/versions and unencodable values. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
