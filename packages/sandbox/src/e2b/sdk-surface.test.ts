// The fake must not drift from the real SDK: these are type assertions, checked by `tsc` (the
// package's typecheck compiles tests), so a signature that changes in the SDK or in the fake fails
// the build. At run time they only record that they compiled.
import type { CommandResult, Sandbox, SandboxPaginator } from "@e2b/code-interpreter";
import { describe, expectTypeOf, it } from "vitest";
import type { FakeE2BSdk, FakeSandbox } from "./fake-sdk.ts";
import type { E2BCommandHandle, E2BPaginator, E2BSandboxLike, E2BSdk } from "./sdk.ts";

type Api = typeof Sandbox;

describe("the E2B SDK surface the provider uses", () => {
  it("is the real SDK's, and the fake implements exactly it", () => {
    // The provider's slice is a part of the real SDK…
    expectTypeOf<Sandbox>().toExtend<E2BSandboxLike>();
    expectTypeOf<ReturnType<Api["list"]>>().toExtend<E2BPaginator>();
    expectTypeOf<Awaited<ReturnType<Sandbox["commands"]["connect"]>>>().toExtend<E2BCommandHandle>();
    // …and the fake implements it.
    expectTypeOf<FakeSandbox>().toExtend<E2BSandboxLike>();
    expectTypeOf<FakeE2BSdk>().toExtend<E2BSdk>();

    // Method by method, the fake takes and returns what the real SDK does, no looser.
    expectTypeOf<Parameters<FakeE2BSdk["create"]>>().toEqualTypeOf<Parameters<Api["create"]>>();
    expectTypeOf<Parameters<FakeE2BSdk["connect"]>>().toEqualTypeOf<Parameters<Api["connect"]>>();
    expectTypeOf<Parameters<FakeE2BSdk["list"]>>().toEqualTypeOf<Parameters<Api["list"]>>();
    expectTypeOf<FakeE2BSdk["kill"]>().toEqualTypeOf<Api["kill"]>();
    expectTypeOf<FakeE2BSdk["getInfo"]>().toEqualTypeOf<Api["getInfo"]>();
    expectTypeOf<FakeE2BSdk["setTimeout"]>().toEqualTypeOf<Api["setTimeout"]>();
    expectTypeOf<FakeE2BSdk["pause"]>().toEqualTypeOf<Api["pause"]>();
    expectTypeOf<Awaited<ReturnType<ReturnType<FakeE2BSdk["list"]>["nextItems"]>>>().toEqualTypeOf<
      Awaited<ReturnType<SandboxPaginator["nextItems"]>>
    >();
    expectTypeOf<FakeSandbox["files"]["read"]>().toEqualTypeOf<E2BSandboxLike["files"]["read"]>();
    expectTypeOf<FakeSandbox["files"]["write"]>().toEqualTypeOf<E2BSandboxLike["files"]["write"]>();
    expectTypeOf<FakeSandbox["commands"]["run"]>().toEqualTypeOf<E2BSandboxLike["commands"]["run"]>();
    expectTypeOf<FakeSandbox["getHost"]>().toEqualTypeOf<Sandbox["getHost"]>();
    expectTypeOf<Awaited<ReturnType<FakeSandbox["commands"]["run"]>>>().toExtend<
      CommandResult | E2BCommandHandle
    >();
  });
});
