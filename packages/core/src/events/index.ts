export {
  STAGES,
  PUBLISH_EVENT_TYPES,
  type Stage,
  type PublishEvent,
  type PublishEventType,
  type PublishEventOf,
  type EventInput,
  type Emit,
  type DeploymentResult,
} from '../contract/publish-event.js'
export { EventChannel } from './event-channel.js'
