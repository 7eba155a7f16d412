// The part of the untyped `smpp` package (0.5.1) that the SMPP transport, its test and its benchmark use.
declare module "smpp" {
  import type { EventEmitter } from "node:events";
  import type { AddressInfo, Socket } from "node:net";

  export type PduFields = Record<string, unknown>;

  export class PDU {
    constructor(command: string, options?: PduFields);
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: PduFields): PDU;
    toBuffer(): Buffer;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export interface Session extends EventEmitter {
    socket: Socket;
    send(pdu: PDU, onResponse?: ResponseCallback, onWritten?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: PduFields, onResponse?: ResponseCallback): boolean;
    bind_transmitter(options: PduFields, onResponse?: ResponseCallback): boolean;
    submit_sm(options: PduFields, onResponse?: ResponseCallback): boolean;
    deliver_sm(options: PduFields, onResponse?: ResponseCallback): boolean;
    enquire_link(options: PduFields, onResponse?: ResponseCallback): boolean;
    unbind(options: PduFields, onResponse?: ResponseCallback): boolean;
  }

  export interface Server extends EventEmitter {
    listen(port: number, host: string, callback?: () => void): Server;
    address(): AddressInfo | string | null;
    close(callback?: (err?: Error) => void): Server;
    sessions: Session[];
  }

  export type ConnectOptions = {
    host: string;
    port: number;
    tls?: boolean;
    ca?: string;
    servername?: string;
    auto_enquire_link_period?: number;
  };

  const smpp: {
    PDU: typeof PDU;
    connect(options: ConnectOptions, listener?: () => void): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
    errors: Record<string, number>;
    ESME_ROK: number;
    ESME_RTHROTTLED: number;
    ESME_RMSGQFUL: number;
    ESME_RINVDSTADR: number;
    ESME_RSYSERR: number;
  };
  export default smpp;
}
