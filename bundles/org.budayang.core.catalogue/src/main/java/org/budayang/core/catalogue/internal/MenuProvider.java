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
 * Serves menus from memory. A menu is recomputed only when the modules, the halls or the
 * terminal's devices changed since it was computed: each keeps a revision that grows on every
 * change. The terminal's capabilities are the effective ones ({@link DeviceCapabilities}).
 */
@Component(service = MenuService.class)
public final class MenuProvider implements MenuService {
    private record Cached(long modules, long halls, long devices, Menu menu) {
    }

    private final ModuleExtender modules;
    private final HallStore halls;
    private final DeviceCapabilities devices;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    @Activate
    public MenuProvider(@Reference ModuleExtender modules, @Reference HallStore halls,
            @Reference DeviceCapabilities devices) {
        this.modules = modules;
        this.halls = halls;
        this.devices = devices;
    }

    @Override
    public Optional<Menu> menu(String terminalId) {
        Cached c = cache.get(terminalId);
        ModuleExtender.Snapshot snapshot = modules.snapshot();
        long hallRevision = halls.revision();
        // Read before the terminal, so a device change during the computation makes the next call recompute.
        long deviceRevision = devices.revision(terminalId);
        if (c != null && c.modules() == snapshot.revision() && c.halls() == hallRevision && c.devices() == deviceRevision) {
            return Optional.of(c.menu());
        }
        Optional<Terminal> terminal = halls.terminal(terminalId);
        if (terminal.isEmpty()) {
            cache.remove(terminalId);
            return Optional.empty();
        }
        String hall = terminal.get().hall();
        Menu menu = MenuRule.compute(terminal.get(), snapshot.descriptors(), dept -> halls.isEnabled(hall, dept));
        cache.put(terminalId, new Cached(snapshot.revision(), hallRevision, deviceRevision, menu));
        return Optional.of(menu);
    }
}
