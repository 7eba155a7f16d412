// The route list the browser tests walk comes from the router's own JSX.
import { describe, expect, it } from "vitest";
import { routesOf, webRoutes } from "./helpers/app-routes.ts";

describe("web routes read from App.tsx", () => {
  it("joins nested paths, marks routes under the session guard, and leaves redirects out", () => {
    const routes = routesOf(`export const App = () => (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<RequireSession />}>
          <Route element={<Shell />}>
            <Route index element={<Navigate to="/a" replace />} />
            <Route path="a" element={<APage />} />
            <Route path="a/:id" element={<AItemPage />} />
            <Route element={<Guard />}><Route path="b" element={<BPage />} /></Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>)`);
    expect(routes).toEqual([
      { path: "/sign-in", component: "SignInPage", signedIn: false },
      { path: "/a", component: "APage", signedIn: true },
      { path: "/a/:id", component: "AItemPage", signedIn: true },
      { path: "/b", component: "BPage", signedIn: true },
      { path: "*", component: "NotFound", signedIn: true },
    ]);
  });

  it("finds the app's pages, public and signed-in", () => {
    const routes = webRoutes();
    expect(routes.find((r) => r.path === "/sign-in")?.signedIn).toBe(false);
    expect(routes.find((r) => r.path === "/persons/:id/edit")).toMatchObject({
      component: "PersonEditPage",
      signedIn: true,
    });
    expect(routes.find((r) => r.path === "/settings")?.component).toBe("SettingsPage");
    expect(routes.length).toBeGreaterThanOrEqual(20);
  });
});
