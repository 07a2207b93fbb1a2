/**
 * Search (issue #13): "Primeiro horário disponível" — the first free time of each doctor of the
 * chosen specialty, earliest first (`GET /api/slots/first-available`). Choosing one picks that
 * doctor and slot in the ordinary booking form, which the user then confirms.
 */
import { type Component, createResource, For, Show } from "solid-js";
import { api } from "../../lib/api";
import type { FirstAvailableSlot } from "../../lib/contract";
import { locale, t } from "../../lib/i18n";
import { formatDateTime } from "../../lib/time";
import { ErrorAlert } from "../ui";

export const FirstAvailable: Component<{
  specialty: string;
  zone: string;
  onPick: (slot: FirstAvailableSlot) => void;
}> = (props) => {
  const [slots] = createResource(
    () => props.specialty || undefined,
    (specialty) => api.firstAvailable(specialty),
  );
  return (
    <section class="first-available" aria-labelledby="first-available-heading">
      <h2 id="first-available-heading">{t("search.firstTitle")}</h2>
      <p class="muted">{t("search.firstIntro", { specialty: props.specialty })}</p>
      <ErrorAlert error={slots.error} />
      <Show when={!slots.loading} fallback={<p role="status">{t("common.loading")}</p>}>
        <Show when={(slots() ?? []).length > 0} fallback={<p role="status">{t("search.firstNone")}</p>}>
          <ul class="first-available-list">
            <For each={slots()}>
              {(s) => (
                <li>
                  <button type="button" class="slot first-available-slot" onClick={() => props.onPick(s)}>
                    {t("search.firstBook", {
                      doctor: s.doctorName,
                      when: formatDateTime(s.startsAt, locale(), props.zone),
                    })}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
};
