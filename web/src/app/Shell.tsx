// The frame around every signed-in page: a skip link, header with the user and language, sidebar navigation, the
// page.
import { Anchor, AppShell, Badge, Burger, Button, Group, NavLink, ScrollArea, Text } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import type { MouseEvent } from "react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { type MessageKey, useI18n } from "../i18n/i18n.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { useSession } from "./session.tsx";

type NavItem = { to: string; label: MessageKey; adminOnly?: boolean };

const NAV: NavItem[] = [
  { to: "/persons", label: "nav.persons" },
  { to: "/companies", label: "nav.companies" },
  { to: "/selections", label: "nav.selections" },
  { to: "/projects", label: "nav.projects" },
  { to: "/mailings", label: "nav.mailings" },
  { to: "/forms", label: "nav.forms" },
  { to: "/library", label: "nav.library" },
  { to: "/blocked-addresses", label: "nav.blockedAddresses" },
  { to: "/outbox", label: "nav.outbox" },
  { to: "/settings", label: "nav.settings", adminOnly: true },
];

const MAIN_ID = "main-content";
const NAV_ID = "main-nav";

/** Moves focus (not only the scroll position) to the page, and keeps the route's URL free of "#main-content". */
function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById(MAIN_ID)?.focus();
}

export function Shell() {
  const { t } = useI18n();
  const { user, can, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  // Below the navbar's breakpoint the closed menu only slides out of view: keep its links out of the Tab order too.
  const narrow = useMediaQuery("(max-width: 47.99em)");
  const location = useLocation();
  const navigate = useNavigate();

  async function handleSignOut() {
    await signOut();
    navigate("/sign-in", { replace: true });
  }

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <a href={`#${MAIN_ID}`} className="skip-link" onClick={skipToMain}>
        {t("nav.skipToContent")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t("nav.menu")}
              aria-expanded={opened}
              aria-controls={NAV_ID}
            />
            {/* The logo is a link home, not a heading: each page's own title is its one h1. */}
            <Anchor component={Link} to="/persons" underline="never" fw={700} fz="xl" c="blue.8">
              utsend
            </Anchor>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            {user && (
              <Group gap={6} wrap="nowrap" visibleFrom="xs" data-testid="current-user">
                <Text size="sm" fw={500}>
                  {user.name}
                </Text>
                <Badge variant="light" size="sm">
                  {t(`roles.${user.role}`)}
                </Badge>
              </Group>
            )}
            {/* Narrow screens have no room for it here: it moves to the end of the menu. */}
            <Button variant="default" size="xs" onClick={handleSignOut} visibleFrom="sm">
              {t("nav.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar id={NAV_ID} p="xs" aria-label={t("nav.main")} inert={narrow === true && !opened}>
        <ScrollArea>
          {NAV.filter((item) => !item.adminOnly || can("manageSettings")).map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={t(item.label)}
              active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
              onClick={close}
              styles={{ root: { borderRadius: "var(--mantine-radius-sm)" } }}
            />
          ))}
        </ScrollArea>
        <Button variant="default" size="xs" mt="md" onClick={handleSignOut} hiddenFrom="sm">
          {t("nav.signOut")}
        </Button>
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0" id={MAIN_ID} tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
