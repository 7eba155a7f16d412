// src/send/channels/sms/segments.ts is shared: the SMS editor counts parts with it, and the SMPP transport also
// encodes parts with it to Node's Buffer. The browser never calls those encoders; this only names the type so the
// web typecheck can read the file.
declare class Buffer extends Uint8Array {
  static from(data: number[] | string, encoding?: string): Buffer;
  swap16(): Buffer;
}
