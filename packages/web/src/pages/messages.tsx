/**
 * The outbox, for admins: every message with its status, attempts and last error, newest first;
 * the rendered message (and, with the local mailbox, the delivered copy with its links); a retry
 * for failed ones.
 */

import { type Component, createSignal, For, onMount, Show } from "solid-js";
import { Dialog, ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import type { MessageDetail, MessageStatus, MessageSummary } from "../lib/contract";
import { locale, t } from "../lib/i18n";

const STATUSES: MessageStatus[] = ["pending", "sending", "sent", "failed", "cancelled", "skipped"];

const when = (iso: string | null) =>
  iso ? new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(new Date(iso)) : "—";

const Messages: Component = () => {
  const [status, setStatus] = createSignal<MessageStatus | "">("");
  const [rows, setRows] = createSignal<MessageSummary[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [notice, setNotice] = createSignal<string>();
  const [open, setOpen] = createSignal<MessageDetail>();

  const load = async (more = false) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.listMessages({
        status: status() || undefined,
        cursor: more ? (cursor() ?? undefined) : undefined,
      });
      setRows(more ? [...rows(), ...page.messages] : page.messages);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  onMount(() => load());

  const view = async (id: string) => {
    try {
      setOpen(await api.getMessage(id));
    } catch (err) {
      setError(err);
    }
  };
  const retry = async (id: string) => {
    setNotice(undefined);
    try {
      const updated = await api.retryMessage(id);
      setRows(rows().map((r) => (r.id === id ? updated : r)));
      setNotice(t("messages.retried"));
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section>
      <PageTitle>{t("messages.title")}</PageTitle>
      <div class="toolbar">
        <div>
          <label for="messages-status">{t("messages.status")}</label>
          <select
            id="messages-status"
            value={status()}
            onChange={(e) => {
              setStatus(e.currentTarget.value as MessageStatus | "");
              void load();
            }}
          >
            <option value="">{t("messages.all")}</option>
            <For each={STATUSES}>{(s) => <option value={s}>{t(`messages.state.${s}`)}</option>}</For>
          </select>
        </div>
      </div>
      <ErrorAlert error={error()} />
      <Show when={notice()}>
        <Notice tone="success">{notice()!}</Notice>
      </Show>
      <Show when={!loading() || rows().length > 0} fallback={<Loading />}>
        <Show when={rows().length > 0} fallback={<p class="muted">{t("messages.empty")}</p>}>
          <div class="table-wrap">
            <table class="messages">
              <caption class="visually-hidden">{t("messages.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("messages.created")}</th>
                  <th scope="col">{t("messages.to")}</th>
                  <th scope="col">{t("messages.subject")}</th>
                  <th scope="col">{t("messages.status")}</th>
                  <th scope="col">{t("messages.attempts")}</th>
                  <th scope="col">{t("messages.lastError")}</th>
                  <th scope="col">{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(m) => (
                    <tr>
                      <td>{when(m.createdAt)}</td>
                      <td>{m.to}</td>
                      <td>
                        {m.subject}
                        <br />
                        <span class="muted">{m.kind}</span>
                      </td>
                      <td>
                        {t(`messages.state.${m.status}`)}
                        <Show when={m.sentAt}>
                          <br />
                          <span class="muted">{when(m.sentAt)}</span>
                        </Show>
                      </td>
                      <td>{m.attempts}</td>
                      <td>{m.lastError ?? "—"}</td>
                      <td class="actions">
                        <button type="button" class="secondary" onClick={() => view(m.id)}>
                          {t("messages.view")}
                          <span class="visually-hidden">: {m.subject}</span>
                        </button>
                        <Show when={m.status === "failed"}>
                          <button type="button" onClick={() => retry(m.id)}>
                            {t("messages.retry")}
                            <span class="visually-hidden">: {m.subject}</span>
                          </button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <Show when={cursor()}>
            <button type="button" class="secondary" disabled={loading()} onClick={() => load(true)}>
              {t("messages.more")}
            </button>
          </Show>
        </Show>
      </Show>
      <Dialog open={!!open()} title={open()?.subject ?? ""} onClose={() => setOpen(undefined)}>
        <Show when={open()}>
          {(m) => (
            <>
              <p class="muted">
                {m().to} · {m().messageId}
              </p>
              <Show when={m().mailbox} fallback={<pre class="notes">{m().text}</pre>}>
                {(copy) => (
                  <>
                    <h3>{t("messages.mailboxCopy")}</h3>
                    <pre class="notes">{copy().text}</pre>
                  </>
                )}
              </Show>
              <Show when={m().calendar}>
                <details>
                  <summary>{t("messages.calendar")}</summary>
                  <pre class="notes">{m().calendar}</pre>
                </details>
              </Show>
              <button type="button" onClick={() => setOpen(undefined)}>
                {t("common.close")}
              </button>
            </>
          )}
        </Show>
      </Dialog>
    </section>
  );
};

export default Messages;
