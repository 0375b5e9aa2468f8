// Test fixture, run as a separate node process: creates one VM with its own QemuDriver, prints
// "CREATED <status json>" and then idles until killed — so a test can SIGKILL the creator and check
// that the VM outlives it. Usage: node --import tsx create-vm-then-wait.ts <stateDir> <spec json>
import { QemuDriver } from "../qemu-driver";

const [stateDir, specJson] = process.argv.slice(2);
if (!stateDir || !specJson) throw new Error("usage: create-vm-then-wait.ts <stateDir> <spec json>");
const status = await new QemuDriver({ stateDir }).create(JSON.parse(specJson));
process.stdout.write(`CREATED ${JSON.stringify(status)}\n`);
setInterval(() => undefined, 60_000);
