import { expect, test } from "@playwright/test";
import { type AppRouter, createStudioClient, TRPCClientError } from "@studio/client";
import { newUser, personalOrganization, signUp, snap } from "../support/studio.ts";

test("an API token works from the typed client until it is revoked", async ({ page, baseURL }, testInfo) => {
  const user = newUser("tokens");
  await signUp(page, user);
  await page.goto("/settings/api-tokens");
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  await snap(page, testInfo, "api-tokens-empty");

  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API token" });
  await dialog.getByLabel("Token name").fill("e2e script");
  await dialog.getByLabel("Expiration").selectOption({ label: "30 days" });
  await dialog.getByRole("button", { name: "Create token" }).click();

  const reveal = page.getByRole("dialog", { name: "Copy your new token" });
  await expect(reveal.getByText("This is the only time you'll see it")).toBeVisible();
  const token = await reveal.getByRole("textbox", { name: "API token" }).inputValue();
  expect(token).toMatch(/^st_[a-z2-7]{24}_[a-z2-7]{32}$/);
  await snap(page, testInfo, "api-token-created");
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();

  const row = page.getByRole("row").filter({ hasText: "e2e script" });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never used");

  const client = createStudioClient({ url: baseURL!, token });
  const me = await client.auth.me.query();
  expect(me?.user.email).toBe(user.email);
  expect(me?.activeOrganization?.name).toBe(personalOrganization(user));
  expect(me?.via).toBe("token");
  expect((await client.organizations.current.query()).name).toBe(personalOrganization(user));

  await page.reload();
  await expect(row).not.toContainText("Never used");
  await snap(page, testInfo, "api-tokens-list");

  await row.getByRole("button", { name: "Revoke e2e script" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke e2e script?" });
  await confirm.getByRole("button", { name: "Revoke token" }).click();
  await expect(confirm).toBeHidden();
  await expect(row).toContainText("Revoked");
  await expect(row.getByRole("button", { name: "Revoke e2e script" })).toHaveCount(0);

  const failure = await client.organizations.current.query().then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(TRPCClientError);
  expect((failure as TRPCClientError<AppRouter>).data?.code).toBe("UNAUTHORIZED");
  expect(await client.auth.me.query()).toBeNull();
});
