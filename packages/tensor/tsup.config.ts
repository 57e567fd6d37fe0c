import { libraryConfig } from '@video-r1/tsup-config';
import type { Options } from 'tsup';

// - shims: the CJS build gets a working `import.meta.url`, which backend selection needs to
//   resolve the optional TensorFlow packages relative to this package.
// - noExternal: tfjs-core's gradient modules are bundled (src/gradients.ts says why); the
//   package `@tensorflow/tfjs-core` itself stays external, so there is one core instance.
// - random: a second entry without TensorFlow, for packages that only need the seeded Rng.
const config: Options | Options[] = libraryConfig({
  entry: ['src/index.ts', 'src/random.ts'],
  shims: true,
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
});

export default config;
