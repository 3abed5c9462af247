// Metering of forwarded model calls: usage from the provider's own response in each wire format,
// estimates for calls cut off before it, and the request change that makes usage get reported.
export { CHARS_PER_TOKEN, createUsageMeter, estimateTokens, estimateUsage } from "./meter.ts";
export { withUsageRequested } from "./request.ts";
export { memberCount, memberValue, NO_VALUE, type RootMembers, rootMembers } from "./request-body.ts";
export type { MeteredUsage, MeterResult, UsageMeter, WireFormat } from "./types.ts";
export { wireFormatFor } from "./wire-format.ts";
