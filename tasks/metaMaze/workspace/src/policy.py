"""PPO (clipped surrogate, GAE, entropy bonus) for a discrete-action actor-critic on a batched numpy environment."""

import numpy as np
import torch
from torch import nn


def train(model, make_env, config, num_env_steps, seed, log=print):
    num_envs, num_steps = config["num_envs"], config["n_steps"]
    env = make_env(num_envs, seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"], eps=1e-5)
    observations = torch.as_tensor(env.reset(), dtype=torch.float32)
    num_updates = max(1, num_env_steps // (num_envs * num_steps))
    episode_returns, finished = np.zeros(num_envs), []
    for update in range(num_updates):
        # Linear learning-rate decay over the budget.
        for group in optimizer.param_groups:
            group["lr"] = config["lr"] * (1 - update / num_updates)
        buffer = {key: [] for key in ("obs", "actions", "logp", "values", "rewards", "dones")}
        with torch.no_grad():
            for _ in range(num_steps):
                logits, values = model(observations)
                dist = torch.distributions.Categorical(logits=logits)
                actions = dist.sample()
                next_obs, rewards, dones = env.step(actions.numpy())
                episode_returns += rewards
                finished.extend(episode_returns[dones].tolist())
                episode_returns[dones] = 0
                for key, value in (("obs", observations), ("actions", actions), ("logp", dist.log_prob(actions)),
                                   ("values", values), ("rewards", torch.as_tensor(rewards, dtype=torch.float32)),
                                   ("dones", torch.as_tensor(dones, dtype=torch.float32))):
                    buffer[key].append(value)
                observations = torch.as_tensor(next_obs, dtype=torch.float32)
            _, last_value = model(observations)
        batch = {key: torch.stack(value) for key, value in buffer.items()}

        # Generalised advantage estimation (an episode's end cuts the bootstrap).
        advantages = torch.zeros_like(batch["rewards"])
        gae = torch.zeros(num_envs)
        for t in reversed(range(num_steps)):
            next_value = last_value if t == num_steps - 1 else batch["values"][t + 1]
            not_done = 1.0 - batch["dones"][t]
            delta = batch["rewards"][t] + config["gamma"] * next_value * not_done - batch["values"][t]
            gae = delta + config["gamma"] * config["gae_lambda"] * not_done * gae
            advantages[t] = gae
        returns = advantages + batch["values"]

        flat = {key: value.reshape(num_envs * num_steps, *value.shape[2:]) for key, value in batch.items()}
        flat_adv, flat_ret = advantages.reshape(-1), returns.reshape(-1)
        size = num_envs * num_steps
        for _ in range(config["epoch_ppo"]):
            for index in torch.randperm(size).split(config["minibatch_size"]):
                logits, values = model(flat["obs"][index])
                dist = torch.distributions.Categorical(logits=logits)
                ratio = torch.exp(dist.log_prob(flat["actions"][index]) - flat["logp"][index])
                adv = flat_adv[index]
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                clip = config["clip_eps"]
                policy_loss = -torch.min(ratio * adv, torch.clamp(ratio, 1 - clip, 1 + clip) * adv).mean()
                value_loss = 0.5 * (values - flat_ret[index]).pow(2).mean()
                loss = policy_loss + config["critic_coeff"] * value_loss - config["entropy_coeff"] * dist.entropy().mean()
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), config["max_grad_norm"])
                optimizer.step()
        if (update + 1) % config["log_every"] == 0 or update == num_updates - 1:
            recent = finished[-100:]
            log("update %d/%d  env steps %d  mean return (last %d episodes) %.2f" % (
                update + 1, num_updates, (update + 1) * size, len(recent), np.mean(recent) if recent else float("nan")))
    return model
