package io.netplane.api.projection;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Objects;

/** The last record the projection applied on one partition. */
@Entity
@Table(name = "projection_offsets")
@IdClass(ProjectionOffset.Key.class)
public class ProjectionOffset extends PanacheEntityBase {
    @Id
    public String topic;
    @Id
    public int partition;
    @Column(name = "last_offset")
    public long lastOffset;

    public static class Key implements Serializable {
        public String topic;
        public int partition;

        public Key() {
        }

        public Key(String topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && partition == k.partition && Objects.equals(topic, k.topic);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, partition);
        }
    }
}
