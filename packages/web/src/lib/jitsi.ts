/**
 * Loading Jitsi's embedding script from the room's domain. Kept apart from the page so that the
 * page can retry a failed load (offline, blocked by a filter) without reloading itself.
 */

export interface JitsiApi {
  addListener(event: string, listener: (payload: any) => void): void;
  executeCommand(command: string, ...args: unknown[]): void;
  dispose(): void;
}

interface JitsiOptions {
  roomName: string;
  jwt?: string;
  parentNode: HTMLElement;
  width?: string | number;
  height?: string | number;
  lang?: string;
  userInfo?: { displayName?: string; email?: string };
  configOverwrite?: Record<string, unknown>;
  interfaceConfigOverwrite?: Record<string, unknown>;
}

type JitsiConstructor = new (domain: string, options: JitsiOptions) => JitsiApi;

declare global {
  interface Window {
    JitsiMeetExternalAPI?: JitsiConstructor;
  }
}

function jitsiScriptUrl(domain: string): string {
  return `https://${domain}/external_api.js`;
}

/** Resolves with the constructor once `external_api.js` has run; rejects when it cannot load. */
export function loadJitsiScript(domain: string, timeoutMs = 20_000): Promise<JitsiConstructor> {
  const src = jitsiScriptUrl(domain);
  for (const old of document.querySelectorAll<HTMLScriptElement>("script[data-jitsi]")) old.remove();
  delete window.JitsiMeetExternalAPI;
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.dataset.jitsi = domain;
    const timer = setTimeout(() => fail(new Error("timeout")), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      script.remove();
      reject(err);
    };
    script.onload = () => {
      clearTimeout(timer);
      if (window.JitsiMeetExternalAPI) resolve(window.JitsiMeetExternalAPI);
      else fail(new Error("JitsiMeetExternalAPI missing"));
    };
    script.onerror = () => fail(new Error("script failed to load"));
    document.head.append(script);
  });
}

export const PUBLIC_DEMO_DOMAIN = "meet.jit.si";
