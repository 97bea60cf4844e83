/**
 * Passing an accepted connection to a child process with its IPC message: the connection's
 * handle moves to the child, and this process's socket object is released once it has gone.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/** Sends `socket` to `child` with `message`; `sent` is called once it has left this process. False when the child is gone. */
export function passSocket(child: ChildProcess, message: object, socket: Socket, sent: () => void): boolean {
  if (!child.connected) return false;
  stopReading(socket);
  child.send(message, socket, { keepOpen: false }, sent);
  return true;
}

/**
 * Stops reading from a connection that is being passed, for good: a paused socket still
 * reads into its buffer (its stream asks for more until the buffer is full), and until the
 * handle is sent — which waits behind the child's acknowledgment of the previous one — what
 * it read stays behind in this process: a body that came after its headers would be lost.
 * Left unread, those bytes wait in the kernel and the child reads them.
 */
export function stopReading(socket: Socket): void {
  socket._read = () => undefined;
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?(): number } })._handle;
  if (handle?.reading && handle.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}
