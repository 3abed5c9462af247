// The shapes of the `workspace.*` procedures as the panel reads them: the router's own output types.
import type { RouterOutputs } from "../../../../lib/trpc.ts";

type Outputs = RouterOutputs["workspace"];
export type TreeEntry = Outputs["list"]["entries"][number];
export type FolderListing = Outputs["list"];
export type ChangedFile = Outputs["changes"]["files"][number];
export type ChangeStatus = ChangedFile["status"];

export type WorkspaceView = "files" | "file" | "changes" | "terminal" | "previews";
