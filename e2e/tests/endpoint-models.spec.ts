// Issue 17, point 3: an OpenAI-compatible endpoint's models are offered, not typed blind. The
// studio's own endpoint is the scripted model server, which lists `scripted-1`; an organisation's
// endpoint that cannot be reached is reported in words, and typing a model id still works.
import { expect, test } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "../support/axe.ts";
import { newUser, signUp, snap } from "../support/studio.ts";

test.describe.configure({ timeout: 120_000 });

test("the config bar offers the endpoint's models, lets any model be typed, and says why when it cannot list them", async ({
  page,
}, testInfo) => {
  await signUp(page, newUser("endpoint-models"));
  const provider = page.getByLabel("Provider");
  const start = page.getByRole("button", { name: "Start session" });

  // Listed: the endpoint's first model is chosen, from a list.
  await provider.selectOption({ label: "OpenAI-compatible endpoint" });
  const list = page.getByRole("combobox", { name: "Model", exact: true });
  await expect(list).toHaveValue("scripted-1");
  await expect(list.locator("optgroup")).toHaveAttribute("label", "Listed by the endpoint");
  await expect(start).toBeEnabled();
  await snap(page, testInfo, "endpoint-models-listed");
  await expectNoSeriousA11yViolations(page, "endpoint models (listed)");

  // Another model: typed, and back to the list.
  await list.selectOption({ label: "Type another model…" });
  const typed = page.getByRole("textbox", { name: "Model", exact: true });
  await expect(typed).toBeFocused();
  await expect(typed).toHaveValue("");
  await expect(start).toBeDisabled();
  await typed.fill("llama3.1:70b");
  await expect(start).toBeEnabled();
  await expect(page.getByText("Not in the endpoint's list.")).toBeVisible();
  await snap(page, testInfo, "endpoint-models-typed");
  await page.getByRole("button", { name: "Choose from its 1 model" }).click();
  await expect(list).toHaveValue("scripted-1");
  await expect(list).toBeFocused();

  // The organisation's own endpoint, which nothing answers on.
  await page.goto("/settings/keys");
  await page.getByRole("button", { name: "Set up OpenAI-compatible endpoint endpoint" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Base URL").fill("http://127.0.0.1:9/v1");
  await dialog.getByRole("button", { name: "Save endpoint" }).click();
  await expect(dialog).toBeHidden();

  await page.goto("/");
  await provider.selectOption({ label: "OpenAI-compatible endpoint" });
  const problem = page.getByRole("status").filter({ hasText: "Couldn't list the endpoint's models" });
  await expect(problem).toContainText("The endpoint could not be reached.");
  await expect(typed).toHaveValue("");
  await expect(start).toBeDisabled();
  await typed.fill("llama3.1");
  await expect(start).toBeEnabled();
  await snap(page, testInfo, "endpoint-models-unreachable");
  await expectNoSeriousA11yViolations(page, "endpoint models (unreachable)");
});
