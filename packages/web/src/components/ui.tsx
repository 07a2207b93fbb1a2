/**
 * Small building blocks every screen uses: the page heading (which takes focus after a route change,
 * so screen readers and keyboard users start at the new content), alerts, and a modal dialog on the
 * native <dialog> element (focus trap, Escape and focus return come from the browser).
 */
import { type Component, createEffect, createUniqueId, type JSX, onMount, Show } from "solid-js";
import { describeError, t } from "../lib/i18n";

export const PageTitle: Component<{ children: string }> = (props) => {
  let heading!: HTMLHeadingElement;
  onMount(() => {
    heading.focus();
  });
  createEffect(() => {
    document.title = `${props.children} · HealthFlow`;
  });
  return (
    <h1 ref={heading} tabindex="-1">
      {props.children}
    </h1>
  );
};

/** A failed request, in words, announced to screen readers. */
export const ErrorAlert: Component<{ error: unknown; children?: JSX.Element }> = (props) => (
  <Show when={props.error}>
    <div class="alert alert-error" role="alert">
      <p>{describeError(props.error)}</p>
      {props.children}
    </div>
  </Show>
);

export const Notice: Component<{ children: JSX.Element; tone?: "info" | "success" | "warning" }> = (props) => (
  <div class={`alert alert-${props.tone ?? "info"}`} role="status">
    {props.children}
  </div>
);

export const Loading: Component<{ label?: string }> = (props) => (
  <p class="muted" role="status" aria-live="polite">
    {props.label ?? t("common.loading")}
  </p>
);

export const Dialog: Component<{
  open: boolean;
  title: string;
  onClose: () => void;
  children: JSX.Element;
}> = (props) => {
  let dialog!: HTMLDialogElement;
  const titleId = createUniqueId();
  createEffect(() => {
    if (props.open && !dialog.open) dialog.showModal();
    else if (!props.open && dialog.open) dialog.close();
  });
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onClose={() => props.onClose()}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
};
