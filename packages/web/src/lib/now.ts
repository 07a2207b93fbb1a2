/** The current time as a signal, ticking every 15 s: buttons that depend on the clock follow it. */
import { createRoot, createSignal } from "solid-js";

const [now, setNow] = createRoot(() => createSignal(Date.now()));
if (typeof setInterval === "function") setInterval(() => setNow(Date.now()), 15_000);

export { now };
