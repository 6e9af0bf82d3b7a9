// fastify's router refused a bad %-escape (400 FST_ERR_BAD_URL) and a path
// segment over 100 characters (414 FST_ERR_MAX_PARAM_LENGTH) in its own shape,
// before Nubo's error handler ran. Both must be Nubo's error shape with a code.
import { expect, it } from 'vitest';
import { useTestApi } from '../../packages/api/test/helpers.js';

const testApi = useTestApi();

it.each([
  ['a bad %-escape', '%ff', /%-escape/],
  ['an overlong segment', 'x'.repeat(300), /longer than 100/],
])('answers %s in a path with NUBO_VALIDATION, naming the url', async (_what, segment, message) => {
  const api = testApi();
  const t = await api.tenant(`t${segment.length}`);
  const res = await api.app.inject({
    method: 'DELETE',
    url: `/v1/projects/${t.project}/vms/${segment}`,
    headers: { authorization: `Bearer ${t.token}` },
  });
  expect(res.statusCode).toBe(400);
  const body = res.json() as { error: { code: string; message: string } };
  expect(body.error.code).toBe('NUBO_VALIDATION');
  expect(body.error.message).toMatch(/^url: /);
  expect(body.error.message).toMatch(message);
});
