// Offline Slack platform for end-to-end tests and sandbox mode: a fake Web API server and a signed-request driver.
export { startFakeSlack } from './server.js';
export type {
  FakeSlack,
  FakeSlackOptions,
  SlackCall,
  FakeMessage,
  FakeFile,
  FakeEphemeral,
  FakeView,
  FakeFault,
  ResponseUrlContext,
} from './server.js';
export { SlackDriver } from './driver.js';
export type { HttpAnswer, SlackDriverOptions } from './driver.js';
