import type { SchemaObject } from 'ajv';

// Every object is closed (additionalProperties: false) so that a misspelt key is an error naming it,
// instead of a silently ignored setting.
const closed = (properties: Record<string, SchemaObject>, required = Object.keys(properties)): SchemaObject => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

const positiveInt: SchemaObject = { type: 'integer', minimum: 1 };
const nonNegativeInt: SchemaObject = { type: 'integer', minimum: 0 };
const positiveNumber: SchemaObject = { type: 'number', exclusiveMinimum: 0 };
const nonNegativeNumber: SchemaObject = { type: 'number', minimum: 0 };
const probability: SchemaObject = { type: 'number', exclusiveMinimum: 0, maximum: 1 };
const nullable = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { type: 'null' }] });
const autoOr = (schema: SchemaObject): SchemaObject => ({ anyOf: [schema, { const: 'auto' }] });
const nonEmptyString: SchemaObject = { type: 'string', minLength: 1 };

/** JSON schema of a fully resolved {@link TrainerConfig}. */
export const trainerConfigSchema: SchemaObject = closed({
  preset: { enum: ['default', 'video-r1', 'smoke', 'qwen-tiny'] },
  seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
  backend: { enum: ['auto', 'cpu', 'wasm', 'tensorflow', 'tensorflow-gpu'] },
  out: nonEmptyString,
  runId: nullable({ type: 'string', pattern: '^[A-Za-z0-9._-]+$' }),
  data: closed({
    source: { enum: ['synthetic', 'files'] },
    synthetic: closed({
      seed: nullable({ type: 'integer', minimum: 0 }),
      size: nullable(positiveInt),
      dir: nullable(nonEmptyString),
    }),
    files: nullable(
      closed({
        train: nonEmptyString,
        sft: nullable(nonEmptyString),
        validation: nullable(nonEmptyString),
        test: nonEmptyString,
        dataRoot: nullable(nonEmptyString),
      }),
    ),
    maxTrain: nullable(positiveInt),
    maxValidation: nullable(positiveInt),
    maxTest: nullable(positiveInt),
  }),
  video: closed({
    frames: positiveInt,
    fps: positiveNumber,
    minFrames: positiveInt,
    maxPixels: positiveInt,
    outputSize: nullable(closed({ height: positiveInt, width: positiveInt })),
  }),
  // The policy's PolicyConfigInput, every key optional (the policy fills its defaults and checks values).
  model: closed(
    {
      dModel: positiveInt,
      nLayers: positiveInt,
      nHeads: positiveInt,
      dFF: positiveInt,
      maxTextLength: positiveInt,
      layerNormEps: positiveNumber,
      initStd: positiveNumber,
      seed: { type: 'integer' },
      vision: closed(
        { height: positiveInt, width: positiveInt, maxFrames: positiveInt, patchSize: positiveInt, temporalPatch: positiveInt },
        [],
      ),
      family: { enum: ['policy', 'qwen2.5-vl'] },
      dir: nullable(nonEmptyString),
      adapter: {
        anyOf: [
          { const: 'full' },
          closed({
            r: positiveInt,
            alpha: positiveNumber,
            targetModules: { anyOf: [nonEmptyString, { type: 'array', items: nonEmptyString, minItems: 1, uniqueItems: true }] },
          }),
        ],
      },
    },
    [],
  ),
  sft: closed({
    enabled: { type: 'boolean' },
    epochs: positiveInt,
    lr: positiveNumber,
    warmupRatio: { type: 'number', minimum: 0, maximum: 1 },
    batchSize: positiveInt,
    maxGradNorm: positiveNumber,
    init: nullable(nonEmptyString),
    loss: { enum: ['video-r1', 'completion'] },
  }, ['enabled', 'epochs', 'lr', 'warmupRatio', 'batchSize', 'maxGradNorm', 'init']),
  rl: closed({
    enabled: { type: 'boolean' },
    algo: { enum: ['grpo', 'tgrpo'] },
    steps: nonNegativeInt,
    promptsPerStep: positiveInt,
    // Group advantages divide by the unbiased std of the group: a group of one is undefined (NaN).
    numGenerations: { type: 'integer', minimum: 2 },
    temperature: positiveNumber,
    topP: probability,
    maxCompletionLength: autoOr(positiveInt),
    beta: nonNegativeNumber,
    lr: positiveNumber,
    lrSchedule: { enum: ['constant', 'cosine'] },
    warmupRatio: { type: 'number', minimum: 0, maximum: 1 },
    weightDecay: nonNegativeNumber,
    maxGradNorm: positiveNumber,
    rewardFuncs: { type: 'array', items: nonEmptyString, minItems: 1, uniqueItems: true },
    lengthControl: closed({
      enabled: { type: 'boolean' },
      minLength: autoOr(nonNegativeInt),
      maxLength: autoOr(positiveInt),
      bonus: { type: 'number' },
    }),
    temporal: closed({
      ratio: nonNegativeNumber,
      bonus: { type: 'number' },
    }),
    rollout: {
      anyOf: [
        { const: 'local' },
        closed({ server: { type: 'string', pattern: '^https?://' }, baseModel: nonEmptyString, adapterDir: nullable(nonEmptyString) }, ['server', 'baseModel']),
      ],
    },
    microBatchSize: positiveInt,
  }, ['enabled', 'algo', 'steps', 'promptsPerStep', 'numGenerations', 'temperature', 'topP', 'maxCompletionLength', 'beta', 'lr', 'lrSchedule', 'warmupRatio', 'weightDecay', 'maxGradNorm', 'rewardFuncs', 'lengthControl', 'temporal']),
  schedule: closed({
    checkpointEvery: positiveInt,
    sftCheckpointEvery: positiveInt,
    validateEvery: nonNegativeInt,
    validationSamples: nullable(positiveInt),
    keepCheckpoints: positiveInt,
  }),
  eval: closed({
    maxNewTokens: autoOr(positiveInt),
    temperature: positiveNumber,
    topP: probability,
    baseline: { type: 'boolean' },
    sft: { type: 'boolean' },
  }),
  report: closed({
    html: { type: 'boolean' },
    png: { type: 'boolean' },
  }),
  debug: closed({
    nanLossAtSteps: { type: 'array', items: positiveInt, uniqueItems: true },
  }),
});
