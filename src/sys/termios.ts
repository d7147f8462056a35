// The kernel's struct termios as bytes (TCGETS / TCSETS, the same on x86_64 and aarch64):
// four u32 flag words, c_line, then c_cc[19]. Pure: what raw mode changes, and where the
// end-of-file key sits. src/sys/tty.ts does the ioctls.

export const TERMIOS_SIZE = 36;
const IFLAG = 0;
const OFLAG = 4;
const CFLAG = 8;
const LFLAG = 12;
const CC = 17;
const VTIME = 5;
const VMIN = 6;
const VEOF = 4;

/** IGNBRK BRKINT PARMRK ISTRIP INLCR IGNCR ICRNL IXON */
const IFLAG_OFF = 0o1 | 0o2 | 0o10 | 0o40 | 0o100 | 0o200 | 0o400 | 0o2000;
const OPOST = 0o1;
/** ECHO ECHONL ICANON ISIG IEXTEN */
const LFLAG_OFF = 0o10 | 0o100 | 0o2 | 0o1 | 0o100000;
const CSIZE = 0o60;
const PARENB = 0o400;
const CS8 = 0o60;

/** cfmakeraw(3) on a copy: every byte passes through unchanged, no echo, no signals from
 * keys, one byte a read. The jail's own terminal does all of that instead. */
export function makeRaw(termios: Uint8Array): Uint8Array {
  const raw = new Uint8Array(termios);
  const v = new DataView(raw.buffer);
  const word = (at: number, off: number, on = 0) => v.setUint32(at, ((v.getUint32(at, true) & ~off) | on) >>> 0, true);
  word(IFLAG, IFLAG_OFF);
  word(OFLAG, OPOST);
  word(CFLAG, CSIZE | PARENB, CS8);
  word(LFLAG, LFLAG_OFF);
  raw[CC + VMIN] = 1;
  raw[CC + VTIME] = 0;
  return raw;
}

/** The end-of-file key of a terminal's settings (c_cc[VEOF]). */
export function eofChar(termios: Uint8Array): number {
  return termios[CC + VEOF]!;
}
