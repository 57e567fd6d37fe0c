export { encodePng, promptContent, type ContentOptions, type OpenAIContentPart } from './media.js';
export {
  RolloutServerError,
  chatCompletion,
  endpoint,
  loadLoraAdapter,
  unloadLoraAdapter,
  type ChatCompletionRequest,
  type RolloutServerErrorCode,
  type ServerChoice,
  type ServerClientOptions,
} from './server-client.js';
export { ServerRolloutPolicy, type AdapterLoad, type ServerRolloutInput, type ServerRolloutOptions } from './server-policy.js';
