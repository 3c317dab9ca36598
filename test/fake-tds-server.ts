import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server that speaks just enough TDS to refuse logins the way Azure SQL does during a
 * reconfiguration: it answers the client's pre-login (no encryption offered) and then each
 * Login7 with an ERROR token (number, message) and a DONE token, as SQL Server does. So tedious,
 * under mssql, raises exactly the errors it raises for a real refusal. Only for tests.
 */
export interface LoginRefusal {
  number: number;
  message: string;
}

/** One TDS packet: type, status end-of-message, length, spid 0, packet id 1, window 0, then the payload. */
function packet(type: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt8(0x01, 1);
  header.writeUInt16BE(8 + payload.length, 2);
  header.writeUInt8(1, 6);
  return Buffer.concat([header, payload]);
}

/** The pre-login answer: version 16.0, encryption not supported (the test client asks for none). */
function preloginResponse(): Buffer {
  const options = Buffer.from([0x00, 0x00, 0x0b, 0x00, 0x06, 0x01, 0x00, 0x11, 0x00, 0x01, 0xff]);
  const version = Buffer.from([16, 0, 0, 0, 0, 0]);
  return packet(0x04, Buffer.concat([options, version, Buffer.from([0x02])]));
}

const usVarChar = (text: string) => {
  const length = Buffer.alloc(2);
  length.writeUInt16LE(text.length);
  return Buffer.concat([length, Buffer.from(text, 'utf16le')]);
};
const bVarChar = (text: string) => Buffer.concat([Buffer.from([text.length]), Buffer.from(text, 'utf16le')]);

/** The login's answer: ERROR (0xAA) with the refusal, then DONE (0xFD) with the error bit. */
function loginRefused({ number, message }: LoginRefusal): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt32LE(number, 0);
  fixed.writeUInt8(1, 4); // state
  fixed.writeUInt8(20, 5); // class: a login failure
  const body = Buffer.concat([fixed, usVarChar(message), bVarChar('sql-goaudits'), bVarChar(''), Buffer.alloc(4)]);
  const length = Buffer.alloc(2);
  length.writeUInt16LE(body.length);
  const done = Buffer.alloc(13);
  done.writeUInt8(0xfd, 0);
  done.writeUInt16LE(0x0002, 1); // DONE_ERROR
  return packet(0x04, Buffer.concat([Buffer.from([0xaa]), length, body, done]));
}

/** Reads whole TDS messages off a socket and answers each by its packet type. */
function serve(socket: Socket, refusal: LoginRefusal, seen: { logins: number }) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 8 && pending.length >= pending.readUInt16BE(2)) {
      const type = pending.readUInt8(0);
      pending = pending.subarray(pending.readUInt16BE(2));
      if (type === 0x12) socket.write(preloginResponse());
      if (type === 0x10) {
        seen.logins++;
        socket.write(loginRefused(refusal));
      }
    }
  });
  socket.on('error', () => undefined);
}

/** Starts the server on a free port of 127.0.0.1; every login it sees is refused with `refusal`. */
export async function startLoginRefusingServer(
  refusal: LoginRefusal,
): Promise<{ port: number; seen: { logins: number }; close(): Promise<void> }> {
  const seen = { logins: 0 };
  const server: Server = createServer((socket) => serve(socket, refusal, seen));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
