import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES, type TemplateName } from '../derived.js';

/**
 * E-mail templates: plain text, first line `Subject: ...`, a blank line, then
 * the body; `{{name}}` is replaced by a variable. The built-in ones below can
 * be replaced by files `<dir>/<template>.txt` (config `templatesDir`), as
 * Robot's `templates/emails/` can. Only the variables a notification carries
 * exist, and those are chosen from fields that are never secret.
 */
export const DEFAULT_TEMPLATES: Record<TemplateName, string> = {
  'build-succeeded': `Subject: [{{region}}] VM {{vmName}} is running

Your VM {{vmName}} ({{vmId}}) in project {{projectName}} was built and is running.
Size: {{size}}
Time: {{time}}
`,
  'build-failed': `Subject: [{{region}}] VM {{vmName}} could not be built

Your VM {{vmName}} ({{vmId}}) in project {{projectName}} could not be built.
Reason: {{reason}}
It holds no resources and costs nothing; delete it, or ask an admin to place it again.
Time: {{time}}
`,
  'delete-scheduled': `Subject: [{{region}}] VM {{vmName}} will be scrubbed after {{scrubAfter}}

Your VM {{vmName}} ({{vmId}}) in project {{projectName}} was deleted.
It waits in the scrub queue and can be restored until {{scrubAfter}};
after that its disk is destroyed for good.
`,
  'vpn-changed': `Subject: [{{region}}] VPN tunnel {{tunnelName}} {{change}}

The VPN tunnel {{tunnelName}} ({{tunnelId}}) of project {{projectName}} was {{change}}.
Peer: {{remoteAddress}}
Time: {{time}}
`,
};

export interface RenderedMail {
  subject: string;
  text: string;
}

export type Templates = Record<TemplateName, string>;

/** The built-in templates, each replaced by `<dir>/<name>.txt` where that file exists. */
export function loadTemplates(dir?: string): Templates {
  const out = { ...DEFAULT_TEMPLATES };
  if (!dir) return out;
  for (const name of TEMPLATES) {
    const file = join(dir, `${name}.txt`);
    if (existsSync(file)) out[name] = readFileSync(file, 'utf8');
  }
  return out;
}

function fill(template: string, vars: Record<string, string>, oneLine: boolean): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => {
    const value = vars[name] ?? '';
    // A header holds one line: a variable must not be able to add headers.
    return oneLine ? value.replace(/[\r\n]+/g, ' ') : value;
  });
}

/** Splits off the `Subject:` line first, so no variable can move the split. */
export function render(template: string, vars: Record<string, string>): RenderedMail {
  const match = /^Subject:[ \t]*(.*)\r?\n(\r?\n)?/.exec(template);
  if (!match) return { subject: 'Nubo notification', text: fill(template, vars, false) };
  return {
    subject: fill(match[1]!, vars, true).trim(),
    text: fill(template.slice(match[0].length), vars, false),
  };
}
