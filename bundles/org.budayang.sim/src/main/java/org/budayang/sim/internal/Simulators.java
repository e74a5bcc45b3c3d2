package org.budayang.sim.internal;

import java.util.Map;
import java.util.function.Consumer;

import org.budayang.api.device.DeviceDriver;
import org.budayang.api.device.DeviceSimulator;
import org.budayang.api.device.SimulatedDevice;
import org.osgi.service.component.annotations.Component;

/** The simulators of the hall's own device types, one service each, as departments register theirs. */
public final class Simulators {
    private Simulators() {
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + Ga467.TYPE)
    public static final class Ga467 implements DeviceSimulator {
        static final String TYPE = "ga467";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
            return new Ga467Device(toDriver).withOptions(options);
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + LockBoard.TYPE)
    public static final class LockBoard implements DeviceSimulator {
        static final String TYPE = "8a";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
            return new LockBusDevice(options, toDriver, System::currentTimeMillis).withOptions(options);
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + EscPos.TYPE)
    public static final class EscPos implements DeviceSimulator {
        static final String TYPE = "escpos";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
            return new EscPosDevice(toDriver).withOptions(options);
        }
    }

    @Component(service = DeviceSimulator.class, property = DeviceDriver.TYPE + "=" + QrScanner.TYPE)
    public static final class QrScanner implements DeviceSimulator {
        static final String TYPE = "qrscanner";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public SimulatedDevice start(Map<String, String> options, Consumer<byte[]> toDriver) {
            return new QrScannerDevice(toDriver).withOptions(options);
        }
    }
}
