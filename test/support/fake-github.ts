import { createServer, type Server } from 'node:http';

/**
 * A local HTTP server that plays GitHub's REST API for repository challenges: branches and files are
 * added by the test, everything else is 404, and `failWith` makes every answer an error status.
 */
export class FakeGitHub {
  private readonly branches = new Set<string>();
  private readonly files = new Set<string>();
  readonly requests: { path: string; authorization: string | undefined }[] = [];
  failWith: number | null = null;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push({ path, authorization: req.headers.authorization });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.failWith) return send(this.failWith, { message: 'unavailable' });
      const branch = /^\/api\/repos\/([^/]+)\/([^/]+)\/branches\/(.+)$/.exec(path);
      if (branch)
        return this.branches.has(`${branch[1]}/${branch[2]}#${branch[3]}`.toLowerCase())
          ? send(200, { name: branch[3] })
          : send(404, { message: 'Branch not found' });
      const file = /^\/api\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(path);
      if (file)
        return this.files.has(`${file[1]}/${file[2]}#${file[3]}`.toLowerCase())
          ? send(200, { name: file[3], type: 'file' })
          : send(404, { message: 'Not Found' });
      return send(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/api`;
    return this;
  }

  addBranch(repository: string, branch: string): void {
    this.branches.add(`${repository}#${branch}`.toLowerCase());
  }

  addFile(repository: string, path: string): void {
    this.files.add(`${repository}#${path}`.toLowerCase());
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
