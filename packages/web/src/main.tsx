import { render } from "solid-js/web";
import { config } from "zod";
import { App } from "./app";
import { locale } from "./lib/i18n";
import "./styles.css";

// zod probes `new Function` to decide whether to compile validators; our CSP forbids eval, so say
// up front not to (avoids a CSP violation report on every page).
config({ jitless: true });
document.documentElement.lang = locale();
render(() => <App />, document.getElementById("root")!);
