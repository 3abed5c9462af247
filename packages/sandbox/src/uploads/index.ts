export {
  DEFAULT_UPLOAD_LIMITS,
  type UploadLimits,
  UploadRejectedError,
  type UploadRejectionReason,
} from "./errors.ts";
export { type SanitiseOptions, sanitiseArchive } from "./sanitise.ts";
