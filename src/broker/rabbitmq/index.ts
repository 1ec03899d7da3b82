export { RabbitMqBroker } from "./rabbitmq-broker";
export { DEFAULT_RABBITMQ_BROKER_OPTIONS, resolveRabbitMqBrokerOptions, type RabbitMqBrokerOptions, type ResolvedRabbitMqBrokerOptions } from "./options";
export { loadAmqplib } from "./session";
