// `npm start`: a whole region on this machine, in the foreground (see
// docs/region.md). The work is in scripts/region/; Ctrl-C removes everything.
import { banner } from './region/banner.js';
import { Region } from './region/region.js';

async function main(): Promise<void> {
  const region = new Region({ apiPort: 8080 });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await region.stop().catch((err) => console.error('cleanup:', err));
    console.log('stopped; nothing left behind.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    const info = await region.start();
    if (info.plan.driver.kind === 'fake')
      console.log(`\n*** No libvirt here: ${info.plan.driver.why}. Using the FAKE driver. ***`);
    console.log(banner(info));
  } catch (err) {
    console.error('the region could not start:', err instanceof Error ? err.message : err);
    await stop(1);
  }
}

void main();
