/**
 * Credit flow control for a terminal (xterm.js's flow-control guide, with the count kept
 * by the server): the client acknowledges output once xterm has rendered it, and the
 * server pauses the shell while more than `OUTPUT_WINDOW_CHARS` it sent are not
 * acknowledged. A pause asked for by the client would come late: by the time the page is
 * behind, the network's buffers can hold megabytes more, all to be rendered before a
 * Ctrl-C's prompt shows. The window bounds that to itself, whatever the network buffers.
 */

/** Sent but not yet rendered output above which the server pauses the shell (it resumes below half). */
export const OUTPUT_WINDOW_CHARS = 128 * 1024;
/** The client acknowledges after rendering this much. */
const ACK_EVERY_CHARS = 16 * 1024;
/** With everything received rendered, it acknowledges anything from this much (a window is many of these). */
const IDLE_ACK_CHARS = 4 * 1024;

/** The client's count for one connection: what arrived, what was rendered, what was acknowledged. */
export class RenderAcks {
  private received = 0;
  private rendered = 0;
  private acked = 0;

  /** Call for every output message that arrives, rendered or skipped. */
  arrived(chars: number): void {
    this.received += chars;
  }

  /**
   * Call once `chars` of it are rendered (or skipped); returns the total to acknowledge
   * when an ack is due. Waiting for a whole window would stall: the server stops short of it.
   */
  done(chars: number): number | undefined {
    this.rendered += chars;
    const unacked = this.rendered - this.acked;
    const caughtUp = this.rendered >= this.received;
    if (unacked < ACK_EVERY_CHARS && !(caughtUp && unacked >= IDLE_ACK_CHARS)) return undefined;
    this.acked = this.rendered;
    return this.acked;
  }
}
