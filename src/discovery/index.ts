export type { HandlerDescriptor, SubscriberDescriptor } from "./descriptors";
export { explore, defaultEndpointName, type Explored, type ExploreOptions } from "./explorer";
export { describeType } from "./schema";
export { contractOf } from "./contract";
