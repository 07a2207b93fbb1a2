/**
 * Routes and the frame around them. Each screen is its own lazy chunk so the first load stays
 * small; zod (form validation) only arrives with the screens that have forms.
 */
import {
  A,
  Navigate,
  Route,
  Router,
  type RouteSectionProps,
  useBeforeLeave,
  useLocation,
  useNavigate,
} from "@solidjs/router";
import { type Component, ErrorBoundary, For, type JSX, lazy, Match, onCleanup, Show, Suspense, Switch } from "solid-js";
import { Loading, Notice, PageTitle } from "./components/ui";
import { api, onUnauthorized } from "./lib/api";
import type { Role } from "./lib/contract";
import { LOCALES, type Locale, locale, setLocale, t } from "./lib/i18n";
import { homeOf, refreshSession, sessionExpired, setFlash, setSessionExpired, setUser, user } from "./lib/session";
import { navigatingTo, recoverStaleChunk } from "./lib/stale-chunk";

// Each route chunk reloads the page once if it fails to load (a tab open across a redeploy).
const route = <T extends Component>(load: () => Promise<{ default: T }>) => lazy(recoverStaleChunk(load));
const Login = route(() => import("./pages/login"));
const Register = route(() => import("./pages/register"));
const MyConsultations = route(() => import("./pages/my-consultations"));
const Book = route(() => import("./pages/book"));
const Agenda = route(() => import("./pages/agenda"));
const AvailabilityPage = route(() => import("./pages/availability"));
const Users = route(() => import("./pages/users"));
const RoomPage = route(() => import("./pages/room"));
const VerifyEmail = route(() => import("./pages/verify-email"));
const ForgotPassword = route(() => import("./pages/forgot-password"));
const ResetPassword = route(() => import("./pages/reset-password"));
const AcceptInvite = route(() => import("./pages/accept-invite"));
const Account = route(() => import("./pages/account"));
const Messages = route(() => import("./pages/messages"));
const PatientHistory = route(() => import("./pages/patient-history"));

export const App: Component = () => {
  void refreshSession();
  return (
    <Router root={Layout}>
      <Route path="/login" component={Login} />
      <Route path="/register" component={Register} />
      <Route path="/room/:token" component={RoomPage} />
      <Route path="/verify-email" component={VerifyEmail} />
      <Route path="/forgot-password" component={ForgotPassword} />
      <Route path="/reset-password" component={ResetPassword} />
      <Route path="/accept-invite" component={AcceptInvite} />
      <Route path="/account" component={guarded(Account, "patient", "doctor", "admin")} />
      <Route path="/messages" component={guarded(Messages, "admin")} />
      <Route path="/" component={Home} />
      <Route path="/consultations" component={guarded(MyConsultations, "patient")} />
      <Route path="/book" component={guarded(Book, "patient", "admin", "doctor")} />
      <Route path="/agenda" component={guarded(Agenda, "doctor", "admin")} />
      <Route path="/availability" component={guarded(AvailabilityPage, "doctor", "admin")} />
      <Route path="/users" component={guarded(Users, "admin")} />
      <Route path="/patients/:id/history" component={guarded(PatientHistory, "doctor", "admin")} />
      <Route path="*" component={NotFound} />
    </Router>
  );
};

const Layout: Component<RouteSectionProps> = (props) => {
  const navigate = useNavigate();
  const location = useLocation();
  // A 401 from any request: the session ended. Back to sign-in, then back here.
  onUnauthorized(() => {
    const here = location.pathname + location.search;
    setSessionExpired(true);
    setUser(null);
    if (location.pathname !== "/login") {
      navigate(`/login?reason=expired&next=${encodeURIComponent(here)}`, { replace: true });
    }
  });
  onCleanup(() => onUnauthorized(undefined));
  useBeforeLeave((e) => {
    if (typeof e.to === "string") navigatingTo(e.to);
  });

  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      setUser(null);
      setFlash(t("auth.signedOut"));
      navigate("/login");
    }
  };

  return (
    <>
      <a class="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header class="topbar">
        <A href="/" class="brand">
          HealthFlow
        </A>
        <Show when={user()}>
          {(u) => (
            <nav aria-label={t("nav.label")}>
              <ul>
                <For each={navLinks(u().role)}>
                  {(link) => (
                    <li>
                      <A href={link.href} activeClass="active">
                        {t(link.label)}
                      </A>
                    </li>
                  )}
                </For>
              </ul>
            </nav>
          )}
        </Show>
        <div class="topbar-tools">
          <label class="inline">
            <span>{t("nav.language")}</span>
            <select value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
              <For each={LOCALES}>
                {(l) => <option value={l}>{l === "en" ? "English" : "Português (Brasil)"}</option>}
              </For>
            </select>
          </label>
          <Show when={user()}>
            {(u) => (
              <>
                <span class="who">{u().name}</span>
                <button type="button" class="secondary" onClick={signOut}>
                  {t("auth.signOut")}
                </button>
              </>
            )}
          </Show>
        </div>
      </header>
      <Show
        when={user()?.role === "patient" && user()?.emailVerified === false && location.pathname !== "/verify-email"}
      >
        <Notice tone="warning">
          {t("account.unverifiedBanner")} <A href="/verify-email">{t("account.unverifiedAction")}</A>
        </Notice>
      </Show>
      <main id="main" tabindex="-1">
        <ErrorBoundary
          fallback={() => (
            <div class="alert alert-error" role="alert">
              <p>{t("error.screenFailed")}</p>
              <button type="button" onClick={() => window.location.reload()}>
                {t("common.reload")}
              </button>
            </div>
          )}
        >
          <Suspense fallback={<Loading />}>{props.children}</Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
};

function navLinks(role: Role): { href: string; label: Parameters<typeof t>[0] }[] {
  if (role === "patient")
    return [
      { href: "/consultations", label: "nav.myConsultations" },
      { href: "/book", label: "nav.book" },
      { href: "/account", label: "nav.account" },
    ];
  const links: { href: string; label: Parameters<typeof t>[0] }[] = [
    { href: "/agenda", label: "nav.agenda" },
    { href: "/availability", label: "nav.availability" },
  ];
  if (role === "admin")
    links.push(
      { href: "/book", label: "nav.bookFor" },
      { href: "/users", label: "nav.users" },
      { href: "/messages", label: "nav.messages" },
    );
  // Search (issue #13): doctors book their own patients, found through the patient search.
  if (role === "doctor") links.push({ href: "/book", label: "nav.bookFor" });
  links.push({ href: "/account", label: "nav.account" });
  return links;
}

/** Shows the screen to the given roles; sends the anonymous to sign-in with a return path. */
function guarded(Screen: Component, ...roles: Role[]): Component {
  return () => {
    const location = useLocation();
    return (
      <Switch>
        <Match when={user() === undefined}>
          <Loading />
        </Match>
        <Match when={user() === null}>
          <Navigate
            href={`/login?${sessionExpired() ? "reason=expired&" : ""}next=${encodeURIComponent(location.pathname + location.search)}`}
          />
        </Match>
        <Match when={user() && !roles.includes(user()!.role)}>
          <PageTitle>{t("nav.forbiddenTitle")}</PageTitle>
          <Notice tone="warning">{t("nav.forbidden")}</Notice>
        </Match>
        <Match when={user()}>
          <Screen />
        </Match>
      </Switch>
    );
  };
}

const Home: Component = () => (
  <Switch fallback={<Loading />}>
    <Match when={user() === null}>
      <Navigate href="/login" />
    </Match>
    <Match when={user()}>{(u) => <Navigate href={homeOf(u().role)} />}</Match>
  </Switch>
);

const NotFound: Component = (): JSX.Element => (
  <>
    <PageTitle>{t("nav.notFound")}</PageTitle>
    <p>
      <A href="/">{t("nav.backHome")}</A>
    </p>
  </>
);
