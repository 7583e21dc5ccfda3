/** Where a command writes: the terminal, or buffers sent back over the control socket. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (live progress bars are drawn only then). */
  readonly interactive: boolean;
}

export const terminal: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  get interactive() {
    return Boolean(process.stderr.isTTY);
  },
};

export function bufferedOutput(): Output & { stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  return {
    out: (t) => (o += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => (e += t.endsWith('\n') ? t : `${t}\n`),
    interactive: false,
    stdout: () => o,
    stderr: () => e,
  };
}
