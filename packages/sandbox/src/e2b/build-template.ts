// `pnpm e2b:template`: builds the studio's E2B template (template.ts) on the operator's E2B team,
// with their key, and says what to set. Settings: see templateBuildSettings.
import { buildStudioTemplate, templateBuildSettings } from "./template.ts";

try {
  const settings = templateBuildSettings(process.env);
  console.log(
    `Building the E2B template "${settings.name}" (${settings.cpuCount} vCPU, ${settings.memoryMB} MiB); this takes a few minutes.`,
  );
  const built = await buildStudioTemplate(settings.name, settings);
  console.log(`\nBuilt ${built.name} (template id ${built.templateId}). Start the studio with:`);
  console.log(`  SANDBOX_PROVIDER=e2b E2B_TEMPLATE=${built.name}`);
} catch (error) {
  console.error(`pnpm e2b:template: ${(error as Error).message}`);
  process.exitCode = 1;
}
