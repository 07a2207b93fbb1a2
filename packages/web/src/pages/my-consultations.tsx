import { A } from "@solidjs/router";
import { type Component, createResource, For, Show, Suspense } from "solid-js";
import { ConsultationItem } from "../components/consultation-item";
import { ConsentWithdraw } from "../components/telemedicine/consent-withdraw";
import { ErrorAlert, Loading, Notice, PageTitle } from "../components/ui";
import { api } from "../lib/api";
import { splitConsultations } from "../lib/consultations";
import type { Consultation } from "../lib/contract";
import { t } from "../lib/i18n";
import { flash, setFlash } from "../lib/session";
import { viewerZone, zoneLabel } from "../lib/time";

const MyConsultations: Component = () => {
  const message = flash();
  setFlash(undefined);
  const [list, { mutate, refetch }] = createResource(() => api.listConsultations());
  const parts = () => splitConsultations(list() ?? []);
  const replace = (c: Consultation) => mutate((all) => (all ?? []).map((x) => (x.id === c.id ? c : x)));

  const section = (title: string, items: Consultation[], empty: string) => (
    <section aria-label={title}>
      <h2>{title}</h2>
      <Show when={items.length > 0} fallback={<p class="muted">{empty}</p>}>
        <ul class="cards">
          <For each={items}>
            {(c) => (
              <li>
                <ConsultationItem consultation={c} onChange={replace} withDate />
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );

  return (
    <>
      <PageTitle>{t("patient.title")}</PageTitle>
      <Show when={message}>
        <Notice tone="success">{message}</Notice>
      </Show>
      <p class="zone">{t("common.timesIn", { zone: zoneLabel(viewerZone()) })}</p>
      <p>
        <A class="button" href="/book">
          {t("patient.bookNew")}
        </A>
      </p>
      <Suspense fallback={<Loading />}>
        <Show
          when={!list.error}
          fallback={
            <ErrorAlert error={list.error}>
              <button type="button" onClick={refetch}>
                {t("common.retry")}
              </button>
            </ErrorAlert>
          }
        >
          {section(t("patient.upcoming"), parts().upcoming, t("patient.noUpcoming"))}
          {section(t("patient.past"), parts().past, t("patient.noPast"))}
          <ConsentWithdraw consultations={list() ?? []} />
        </Show>
      </Suspense>
    </>
  );
};

export default MyConsultations;
