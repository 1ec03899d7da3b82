export type { HandlerDescriptor, SubscriberDescriptor } from "./descriptors";
export { explore, defaultEndpointName, type Explored } from "./explorer";
export { describeType } from "./schema";
