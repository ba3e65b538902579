import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * deploy/bench/e2e's hop probe: prints every record of the given topics produced between two instants
 * (epoch ms) as one JSON line {"topic","p","ts","key","value"} (value = the envelope's JSON as produced,
 * null for a tombstone), so the bench can follow each connect's correlation id hop by hop with the broker's
 * record timestamps (the producers' CreateTime).
 * Args: bootstrap fromMs toMs topic...
 */
public class TopicDump {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        long from = Long.parseLong(args[1]);
        long to = Long.parseLong(args[2]);
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        var out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        try (var consumer = new KafkaConsumer<String, String>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                for (PartitionInfo p : consumer.partitionsFor(args[i])) {
                    partitions.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp start = starts.get(tp);
                if (start != null && start.offset() < ends.get(tp)) {
                    consumer.seek(tp, start.offset());
                    open.add(tp);
                }
            }
            consumer.assign(open);
            while (!open.isEmpty()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.timestamp() > to) {
                        continue;
                    }
                    out.write("{\"topic\":\"" + r.topic() + "\",\"p\":" + r.partition() + ",\"ts\":" + r.timestamp()
                            + ",\"key\":" + (r.key() == null ? "null" : "\"" + r.key() + "\"")
                            + ",\"value\":" + (r.value() == null ? "null" : r.value()) + "}\n");
                }
                open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
                consumer.assign(open);
            }
        }
        out.flush();
    }
}
