import { type Keys, Project, type Store, User } from '@nubo/shared';

/** Who hears about a project: its owner, if they gave an e-mail address. */
export async function projectRecipient(
  store: Store,
  keys: Keys,
  projectId: string,
): Promise<{ email?: string; projectName: string } | undefined> {
  const project = await store.get(keys.projects.one(projectId), Project);
  if (!project) return undefined;
  const owner = await store.get(keys.users.one(project.value.ownerId), User);
  return {
    projectName: project.value.name,
    ...(owner?.value.email ? { email: owner.value.email } : {}),
  };
}
