package org.medsynth.nn.train;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.medsynth.nn.ParamStore;
import org.medsynth.nn.ReferenceCase;
import org.medsynth.nn.engine.Engine;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;

import static org.medsynth.nn.ReferenceCase.assertClose;

/** Adam against torch.optim.Adam for three steps (PyTorch float64 reference), by libnd4j's kernel and by libtorch's. */
class AdamTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"pix2pix,DOUBLE,DL4J", "pggan,DOUBLE,DL4J", "pix2pix,FLOAT,DL4J", "pggan,FLOAT,DL4J",
            "pix2pix,DOUBLE,LIBTORCH", "pggan,DOUBLE,LIBTORCH", "pix2pix,FLOAT,LIBTORCH", "pggan,FLOAT,LIBTORCH"})
    void matchesPyTorch(String tag, DataType dt, Engine engine) {
        ReferenceCase c = ReferenceCase.load("adam");
        ParamStore store = new ParamStore(1, dt);
        store.put("w", "G", ParamStore.Role.TRAINABLE, c.output(tag + "_w0").castTo(dt));
        Adam adam = tag.equals("pix2pix") ? Adam.pix2pix() : Adam.pggan();
        for (int i = 1; i <= 3; i++) {
            adam.update(store, Map.of("w", c.output(tag + "_g" + i).castTo(dt)), engine);
            assertClose(tag + " step " + i, c.output(tag + "_w" + i), store.array("w"), dt == DataType.DOUBLE ? 1e-12 : 1e-6, 1e-7);
        }
    }
}
