// Registers the gradient of every tfjs kernel with the global gradient registry.
//
// tfjs-core's Node entry (dist/tf-core.node.js, CommonJS) ships no gradients: they live in
// its ES-module sources (dist/register_all_gradients.js and dist/gradients/*), whose
// extensionless relative imports Node cannot load. The @tensorflow/tfjs umbrella solves this
// by bundling those modules into its own build; we do the same for this module alone
// (tsup.config.ts: noExternal), so no umbrella (webgl, layers, converter, data) is installed.
//
// The bundled copy of the ops those gradients call shares everything that matters with the
// external tfjs-core: the engine, the kernel and gradient registries and the Tensor class
// check are process globals in tfjs-core (getGlobal / `_tfengine`, Symbol.hasInstance), which
// is what makes the umbrella work the same way. `test/gradients.test.ts` checks tf.grad in
// the ESM and the CommonJS builds.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
