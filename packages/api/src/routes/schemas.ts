import { Id, Type } from '@nubo/shared';
import { ErrorBody } from '../errors.js';

/** Path parameters, shared by the routes. */
export const ProjectParams = Type.Object({ project: Id }, { additionalProperties: false });
export const ProjectItemParams = Type.Object({ project: Id, id: Id }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const NameParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 253 }) },
  { additionalProperties: false },
);

export interface ProjectP {
  project: string;
}
export interface ProjectItemP {
  project: string;
  id: string;
}

/** Error answers, for the OpenAPI document. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/** A route's OpenAPI extras: its tag and summary. */
export function doc(tag: string, summary: string) {
  return { tags: [tag], summary };
}
