import { createServer, type Server } from 'node:http';

/**
 * A local HTTP server that plays GitLab's REST API v4 for repository challenges: projects are read by
 * their URL-encoded path (`/projects/group%2Fsub%2Fname`), branches and files are added by the test,
 * everything else is 404, and `failWith` makes every answer an error status.
 */
export class FakeGitLab {
  private readonly projects = new Map<string, { defaultBranch: string }>();
  private readonly branches = new Set<string>();
  private readonly files = new Set<string>();
  readonly requests: { path: string; token: string | undefined }[] = [];
  failWith: number | null = null;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const parsed = new URL(req.url ?? '/', 'http://x');
      // The raw path: GitLab takes the project path as one URL-encoded segment.
      this.requests.push({ path: `${parsed.pathname}${parsed.search}`, token: req.headers['private-token'] as string | undefined });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.failWith) return send(this.failWith, { message: 'unavailable' });
      const route = /^\/api\/v4\/projects\/([^/]+)(\/repository\/(branches|files)\/([^/]+))?$/.exec(parsed.pathname);
      if (!route || route[1].includes('/')) return send(404, { message: '404 Not Found' });
      const project = decodeURIComponent(route[1]).toLowerCase();
      const found = this.projects.get(project);
      if (!found) return send(404, { message: '404 Project Not Found' });
      if (!route[2]) return send(200, { id: 1, path_with_namespace: project, default_branch: found.defaultBranch });
      const name = decodeURIComponent(route[4]);
      if (route[3] === 'branches') {
        return this.branches.has(`${project}#${name}`.toLowerCase()) ? send(200, { name }) : send(404, { message: '404 Branch Not Found' });
      }
      const ref = parsed.searchParams.get('ref');
      if (!ref) return send(400, { error: 'ref is missing' });
      return this.files.has(`${project}#${ref}#${name}`.toLowerCase()) ? send(200, { file_name: name, ref }) : send(404, { message: '404 File Not Found' });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/api/v4`;
    return this;
  }

  /** A project at `group/sub/name`, whose default branch is `defaultBranch`. */
  addProject(path: string, defaultBranch = 'main'): void {
    this.projects.set(path.toLowerCase(), { defaultBranch });
  }

  addBranch(path: string, branch: string): void {
    this.branches.add(`${path}#${branch}`.toLowerCase());
  }

  /** A file at the top of `ref`. */
  addFile(path: string, ref: string, file: string): void {
    this.files.add(`${path}#${ref}#${file}`.toLowerCase());
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
