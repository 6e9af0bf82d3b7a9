// A file upload sent as application/json was parsed into a value and then
// piped as if it were a stream: 500 NUBO_INTERNAL. It must be a 415.
import { expect, it } from 'vitest';
import { useTestApi } from '../../packages/api/test/helpers.js';

const testApi = useTestApi();

it('refuses a JSON body on a file upload with 415 and writes nothing', async () => {
  const api = testApi();
  const t = await api.tenant('alice');
  for (const url of [`/v1/projects/${t.project}/files/a.raw`, '/v1/files/a.raw']) {
    const res = await api.call('PUT', url, api.adminToken, { not: 'a file' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('NUBO_UNSUPPORTED_MEDIA');
    const list = await api.call('GET', url.replace('/a.raw', ''), api.adminToken);
    expect(list.body.files).toEqual([]);
  }
});
