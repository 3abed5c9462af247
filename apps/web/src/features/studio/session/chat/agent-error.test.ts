import { describe, expect, it } from "vitest";
import { readableAgentError } from "./agent-error.ts";

describe("readableAgentError", () => {
  it("turns a provider's JSON answer into its sentence", () => {
    expect(
      readableAgentError(
        'Internal error: Payment Required: {"error":{"type":"insufficient_credits","message":"The organisation is out of platform credits."}}',
      ),
    ).toBe("Payment Required: The organisation is out of platform credits.");
    expect(readableAgentError('Bad Request: {"error":"model not found"}')).toBe(
      "Bad Request: model not found",
    );
    expect(readableAgentError('{"message":"overloaded"}')).toBe("overloaded");
  });

  it("leaves anything else as it was", () => {
    expect(readableAgentError("agent process exited (code 1)")).toBe("agent process exited (code 1)");
    expect(readableAgentError("Internal error: {not json")).toBe("Internal error: {not json");
    expect(readableAgentError('Oops: {"other":1}')).toBe('Oops: {"other":1}');
  });
});
