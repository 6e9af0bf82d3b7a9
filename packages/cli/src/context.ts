import type { Command } from 'commander';
import { ApiClient } from './client.js';
import { resolveConfig } from './config.js';
import { CliError, type CliIo } from './io.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface GlobalFlags {
  json?: boolean;
  url?: string;
  token?: string;
  project?: string;
}

/** What every command needs: output, the client, and the project it works in. */
export class CliContext {
  constructor(
    readonly io: CliIo,
    private readonly program: Command,
  ) {}

  private get flags(): GlobalFlags {
    return this.program.opts<GlobalFlags>();
  }

  get json(): boolean {
    return this.flags.json === true;
  }

  get config() {
    const { url, token, project } = this.flags;
    return resolveConfig(this.io.env, {
      ...(url ? { url } : {}),
      ...(token ? { token } : {}),
      ...(project ? { project } : {}),
    });
  }

  client(): ApiClient {
    const config = this.config;
    return new ApiClient(config.url, config.token);
  }

  /** The project id: `--project`, NUBO_PROJECT or the config file (an id or a name); else the caller's only project. */
  async projectId(): Promise<string> {
    const wanted = this.config.project;
    if (wanted && UUID.test(wanted)) return wanted;
    const { projects } = await this.client().get<{ projects: { id: string; name: string }[] }>(
      '/v1/projects',
    );
    const matches = wanted ? projects.filter((p) => p.name === wanted) : projects;
    if (matches.length === 1) return matches[0]!.id;
    if (wanted)
      throw new CliError(
        matches.length ? `several projects are named ${wanted}; use its id` : `no project ${wanted}`,
      );
    throw new CliError(
      projects.length
        ? 'you belong to several projects: pass --project or set NUBO_PROJECT'
        : 'you belong to no project: nubo project create <name>',
    );
  }

  /** `/v1/projects/<id>` */
  async projectPath(): Promise<string> {
    return `/v1/projects/${await this.projectId()}`;
  }

  /** A resource's id from its id or name, among a list. */
  async resolve(listPath: string, field: string, ref: string): Promise<string> {
    if (UUID.test(ref)) return ref;
    const body = await this.client().get<Record<string, { id: string; name: string }[]>>(listPath);
    const found = (body[field] ?? []).filter((x) => x.name === ref);
    if (found.length !== 1) throw new CliError(`no ${field.replace(/s$/, '')} named ${ref}`);
    return found[0]!.id;
  }

  print(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }
}
