import fs from 'node:fs';
import net from 'node:net';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * While a server holds the embedded database, CLI commands are run inside it over a unix
 * socket only the same OS user can open (mode 0600, in the 0700 data folder). One JSON request
 * per connection: {"argv": [...]} -> {"exitCode", "stdout", "stderr"}.
 */
export function startControlSocket(socketPath: string, run: (argv: string[]) => Promise<CommandResult>): Promise<net.Server> {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  const server = net.createServer((conn) => {
    let buf = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 65_536) conn.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let argv: string[];
      try {
        const req = JSON.parse(buf.slice(0, nl)) as { argv?: unknown };
        if (!Array.isArray(req.argv) || !req.argv.every((a) => typeof a === 'string')) throw new Error('argv');
        argv = req.argv as string[];
      } catch {
        conn.end(`${JSON.stringify({ exitCode: 2, stdout: '', stderr: 'Bad control request\n' })}\n`);
        return;
      }
      run(argv).then(
        (result) => conn.end(`${JSON.stringify(result)}\n`),
        (err: unknown) => conn.end(`${JSON.stringify({ exitCode: 1, stdout: '', stderr: `${(err as Error).message}\n` })}\n`),
      );
    });
    conn.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      fs.chmodSync(socketPath, 0o600);
      server.unref();
      resolve(server);
    });
  });
}

export function sendControlCommand(socketPath: string, argv: string[], timeoutMs = 120_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error('The running server did not answer in time'));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${JSON.stringify({ argv })}\n`));
    conn.on('data', (c: string) => (buf += c));
    conn.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf) as CommandResult);
      } catch {
        reject(new Error('The running server sent an unreadable answer'));
      }
    });
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
