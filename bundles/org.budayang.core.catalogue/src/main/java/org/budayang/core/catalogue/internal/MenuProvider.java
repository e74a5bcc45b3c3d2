package org.budayang.core.catalogue.internal;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.budayang.api.hall.Menu;
import org.budayang.api.hall.MenuService;
import org.budayang.api.hall.Terminal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Serves menus from memory. A menu is recomputed only when the modules or the halls changed
 * since it was computed: both keep a revision that grows on every change.
 */
@Component(service = MenuService.class)
public final class MenuProvider implements MenuService {
    private record Cached(long modules, long halls, Menu menu) {
    }

    private final ModuleExtender modules;
    private final HallStore halls;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    @Activate
    public MenuProvider(@Reference ModuleExtender modules, @Reference HallStore halls) {
        this.modules = modules;
        this.halls = halls;
    }

    @Override
    public Optional<Menu> menu(String terminalId) {
        Cached c = cache.get(terminalId);
        ModuleExtender.Snapshot snapshot = modules.snapshot();
        long hallRevision = halls.revision();
        if (c != null && c.modules() == snapshot.revision() && c.halls() == hallRevision) {
            return Optional.of(c.menu());
        }
        Optional<Terminal> terminal = halls.terminal(terminalId);
        if (terminal.isEmpty()) {
            cache.remove(terminalId);
            return Optional.empty();
        }
        String hall = terminal.get().hall();
        Menu menu = MenuRule.compute(terminal.get(), snapshot.descriptors(), dept -> halls.isEnabled(hall, dept));
        cache.put(terminalId, new Cached(snapshot.revision(), hallRevision, menu));
        return Optional.of(menu);
    }
}
